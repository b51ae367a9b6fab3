"""An emergency stays on top until an officer closes it, and its promised call back is a task.

The resident texts an emergency and is told staff will call back. Reading it lowers
nothing and answering by SMS lowers nothing; the call back waits on top, with its due
time, until the officer records that the call happened; only closing the request ends it.
"""

from playwright.sync_api import expect

from tests.browser.loop_support import (
    assert_fit_for_elderly_phones,
    look,
    query,
    received,
    resident_texts,
)
from tests.browser.support import sign_in

PHONE, E164 = "0358 111 999", "+84358111999"
HELP = "Cứu với, ông nhà tôi bị ngã không dậy được"
ANSWER = "Can bo xa se goi cho ong ba ngay bay gio."


def test_an_emergency_and_its_call_back_stay_on_top_until_an_officer_closes_them(
    sized, live_server, admin_login, artifacts
):
    page = sized.page
    sign_in(page, live_server.url, *admin_login)
    replies = resident_texts(page, live_server.url, PHONE, HELP)
    assert any(
        "115" in reply and "goi lai" in reply for reply in replies + received(live_server, E164)
    )
    ((request_id, ref),) = query(
        live_server,
        "SELECT r.id, r.ref FROM requests r JOIN residents res ON res.id = r.resident_id"
        " WHERE res.phone = ? AND r.attention = 'emergency'",
        [E164],
    )
    problems = []
    urgent = page.locator(".attention .box.urgent").filter(has_text="Đọc trước")
    owed = page.locator(".attention .box.follow-ups")

    page.goto(live_server.url + "/")
    expect(urgent).to_contain_text(ref)
    expect(owed).to_contain_text(ref)
    expect(owed).to_contain_text("Gọi lại trước")
    urgent.get_by_role("link", name=ref).click()
    expect(page.locator(".follow-ups")).to_contain_text("Gọi lại trước")
    page.get_by_role("button", name="Tôi đã đọc").click()
    expect(page.locator("form.flash-warn")).to_contain_text("canbo đã đọc lúc")
    problems += look(page, artifacts, "emergency-read", sized.name)

    # Read, then answered by SMS: still on top, and the call back still owed.
    page.get_by_label("Trả lời bằng tin nhắn").fill(ANSWER)
    page.get_by_role("button", name="Gửi trả lời").click()
    expect(page.locator(".flash").first).to_contain_text("xếp hàng gửi")
    page.goto(live_server.url + "/")
    expect(urgent).to_contain_text(ref)
    expect(owed).to_contain_text(ref)
    problems += look(page, artifacts, "emergency-queue", sized.name)

    # The officer calls, and records it; then closes the request.
    page.goto(live_server.url + f"/requests/{request_id}")
    page.get_by_label("Đã nói gì, hoặc vì sao chưa gọi được").fill("Đã gọi, con gái đã đưa đi viện")
    page.get_by_role("button", name="Đã gọi", exact=True).click()
    expect(page.locator(".flash").first).to_contain_text("Đã ghi cuộc gọi.")
    expect(page.locator(".timeline")).to_contain_text("Đã gọi lại")
    page.goto(live_server.url + "/")
    expect(page.locator(".attention")).not_to_contain_text("Gọi lại trước")
    expect(urgent).to_contain_text(ref)
    page.goto(live_server.url + f"/requests/{request_id}")
    page.locator("details").filter(has_text="Đóng mà không trả lời").locator("summary").click()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Đóng câu hỏi").click()
    expect(page.locator("h1 .badge")).to_have_text("Đã đóng")
    page.goto(live_server.url + "/")
    expect(page.locator(".attention")).not_to_contain_text(ref)

    last = received(live_server, E164)[-1]
    assert last == "Xa Phu Lam: " + ANSWER
    assert_fit_for_elderly_phones(last)
    assert problems == []
