"""The staff console in Chromium: sign in, find a request, mark it visited, print the trip sheet."""

import re

from playwright.sync_api import expect

from db import connect
from tests.browser.support import trip_under_way


def sign_in(page, live_server, username, password):
    page.goto(live_server.url + "/")
    expect(page).to_have_url(re.compile(r"/login\?next="))
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("heading", name="Hàng chờ", level=1)).to_be_visible()


def test_an_officer_finds_a_request_marks_it_visited_and_prints_the_sheet(
    page, live_server, admin_login, artifacts
):
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    trip_under_way(live_server)  # Nguyễn Thị Hoa's visit is on today's trip
    sign_in(page, live_server, *admin_login)
    expect(page.get_by_role("heading", name="Cần xử lý")).to_be_visible()
    page.screenshot(path=str(artifacts / "staff-queue.png"), full_page=True)

    # Find the demo resident by name, without accents, as officers type on a phone.
    page.get_by_label("Tìm: số điện thoại, tên hoặc mã").fill("nguyen thi hoa")
    page.get_by_role("button", name="Xem", exact=True).click()
    listing = page.locator("section", has=page.locator("#list-h"))
    expect(listing.get_by_text("Nguyễn Thị Hoa")).to_be_visible()
    listing.locator("a.ref").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Đến nhà")

    page.get_by_label("Ghi chú về lượt đến (không bắt buộc)").fill("Đã cài VNeID cho bà")
    page.get_by_role("button", name="Đã đến nhà").click()
    page.get_by_role("button", name="Đúng, tổ đã đến").click()
    expect(page.get_by_role("status").first).to_contain_text("Đã ghi đã đến nhà.")
    expect(page.locator("h1 .badge")).to_have_text("Đã đến")
    expect(page.locator(".timeline")).to_contain_text("Đã cài VNeID cho bà")

    page.locator("dd a[href^='/trips/']").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Phiếu chuyến đi")
    expect(page.locator("table.sheet")).to_contain_text("Nguyễn Thị Hoa")
    page.emulate_media(media="print")
    expect(page.locator("header.top")).to_be_hidden()
    page.screenshot(path=str(artifacts / "staff-trip-sheet-print.png"), full_page=True)
    page.emulate_media(media="screen")
    assert errors == []

    database = connect(live_server.db_path)
    status = database.execute(
        "SELECT r.status FROM requests r JOIN residents p ON p.id = r.resident_id"
        " WHERE p.name = 'Nguyễn Thị Hoa'"
    ).fetchone()[0]
    database.conn.close()
    assert status == "visited"


def test_the_sms_counter_warns_about_length_only(page, live_server, admin_login):
    sign_in(page, live_server, *admin_login)
    page.locator(".attention li", has_text="khai tử").get_by_role("link").first.click()
    answer = page.get_by_label("Trả lời bằng tin nhắn")
    answer.fill("Ông bà mang giấy chứng tử")
    counter = page.locator("#answer-counter")
    expect(counter).to_contain_text("1 tin nhắn")
    # Accents are expected: the SMS drops them itself, so they are no warning.
    expect(counter).not_to_contain_text("Có dấu")
    answer.fill("Ong ba mang giay " * 12)
    expect(counter).to_contain_text("2 tin nhắn")
    expect(counter).to_contain_text("Dài hơn một tin nhắn")


def test_the_queue_fits_a_360_pixel_phone(page, live_server, admin_login, artifacts):
    page.set_viewport_size({"width": 360, "height": 780})
    sign_in(page, live_server, *admin_login)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360
    page.screenshot(path=str(artifacts / "staff-queue-360.png"), full_page=True)
