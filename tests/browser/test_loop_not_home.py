""" "Not at home" is the team's work, not the resident's: a follow-up, then one tap to rebook.

The resident books by SMS; on the trip's day the team finds nobody and notes it. The
resident is told the team will contact them (one unaccented segment, never "text HEN
again"); the case waits under "Cần xử lý" with the note; one tap rebooks it on the next
trip, and the resident's last SMS gives the new date.
"""

import re

from playwright.sync_api import expect

from tests.browser.loop_support import (
    assert_fit_for_elderly_phones,
    look,
    query,
    received,
    resident_texts,
    trip_day_comes,
)
from tests.browser.support import sign_in

PHONE, E164 = "0944 555 666", "+84944555666"


def test_not_at_home_becomes_a_follow_up_and_one_tap_rebooks_it(
    sized, live_server, admin_login, artifacts
):
    page = sized.page
    sign_in(page, live_server.url, *admin_login)
    menu = " ".join(
        resident_texts(page, live_server.url, PHONE, "HEN") + received(live_server, E164)
    )
    digit = re.search(r"(\d+)\s*[=.:-]?\s*Phu Loi", menu)[1]
    resident_texts(page, live_server.url, PHONE, digit)
    ((request_id, ref, status),) = query(
        live_server,
        "SELECT r.id, r.ref, r.status FROM requests r JOIN residents res ON res.id = r.resident_id"
        " WHERE res.phone = ?",
        [E164],
    )
    assert status == "scheduled"
    trip_day_comes(live_server, request_id)
    problems = []

    page.goto(live_server.url + f"/requests/{request_id}")
    page.get_by_label("Ghi chú về lượt đến (không bắt buộc)").fill("hẹn chuyến sau")
    page.get_by_role("button", name="Không gặp ở nhà").click()
    expect(page.locator(".flash").first).to_contain_text("Cần xử lý")
    told = received(live_server, E164)[-1]
    assert "lien he lai" in told and "HEN" not in told
    assert_fit_for_elderly_phones(told)

    page.goto(live_server.url + "/")
    owed = page.locator(".attention .box.follow-ups")
    expect(owed).to_contain_text(ref)
    expect(owed).to_contain_text("Không gặp ở nhà")
    expect(owed).to_contain_text("hẹn chuyến sau")
    problems += look(page, artifacts, "not-home-queue", sized.name)
    taps = 0
    owed.get_by_role("link", name=ref).click()
    taps += 1
    expect(page.locator(".follow-ups")).to_contain_text("Ghi chú của tổ: hẹn chuyến sau")
    problems += look(page, artifacts, "not-home-request", sized.name)
    page.get_by_role("button", name="Hẹn lại chuyến sau").click()
    taps += 1
    print(f"\n[{sized.name}] not at home -> rebooked on the next trip: {taps} taps")
    expect(page.locator(".flash").first).to_contain_text("Đã hẹn vào chuyến sau")
    expect(page.locator("h1 .badge")).to_have_text("Đã xếp chuyến")
    page.goto(live_server.url + "/")
    expect(owed).to_have_count(0)

    last = received(live_server, E164)[-1]
    assert last.startswith("Xa Phu Lam: Lich den nha ma " + ref) and "HEN" not in last
    assert_fit_for_elderly_phones(last)
    assert problems == []
