"""A plea that lands as a question becomes a home visit in three taps, and closes with it.

From the resident's SMS to the resident's last SMS: the officer books the visit from the
request page (hamlet, procedure, reason), the timeline names the officer, the plea is linked,
and when the team marks the visit done the plea closes itself and leaves the top of the queue.
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

PHONE, E164 = "0903 111 222", "+84903111222"
PLEA = "tôi bị liệt không đi được, nhờ cán bộ tới giúp làm giấy tờ đất"


def test_a_plea_becomes_a_visit_in_three_taps_and_closes_when_the_visit_is_done(
    sized, live_server, admin_login, artifacts
):
    page = sized.page
    sign_in(page, live_server.url, *admin_login)
    resident_texts(page, live_server.url, PHONE, PLEA)
    ((plea_id, plea_ref, kind),) = query(
        live_server,
        "SELECT r.id, r.ref, r.kind FROM requests r JOIN residents res ON res.id = r.resident_id"
        " WHERE res.phone = ?",
        [E164],
    )
    assert kind == "question"  # the misread plea of the walk-through
    problems = []

    page.goto(live_server.url + "/")
    taps = 0
    page.locator(".attention").get_by_role("link", name=plea_ref).first.click()
    taps += 1
    expect(page.get_by_role("heading", name="Hẹn đến nhà")).to_be_visible()
    problems += look(page, artifacts, "plea-question", sized.name)
    page.get_by_label("Ấp", exact=True).last.select_option(label="Phú Lợi")
    taps += 1
    page.get_by_role("button", name="Đặt lịch đến nhà").click()
    taps += 1
    print(f"\n[{sized.name}] plea triage -> booked visit: {taps} taps")
    assert taps <= 3

    # The officer lands on the new visit: booked, linked to the plea, credited to them.
    expect(page.locator(".flash")).to_contain_text("Đã hẹn đến nhà, mã")
    visit_ref = re.search(r"mã (\d{5})", page.locator(".flash").first.inner_text())[1]
    expect(page.locator(".linked")).to_contain_text(plea_ref)
    opened = page.locator(".timeline li").first
    expect(opened).to_contain_text("canbo")
    expect(opened).to_contain_text("(cán bộ)")
    problems += look(page, artifacts, "plea-visit-booked", sized.name)
    confirmation = received(live_server, E164)[-1]
    assert f"ma {visit_ref}" in confirmation and "Phu Loi" in confirmation
    assert_fit_for_elderly_phones(confirmation)

    # The day of the trip: the team marks the visit done, and the plea closes itself.
    ((visit_id,),) = query(live_server, "SELECT id FROM requests WHERE ref = ?", [visit_ref])
    trip_day_comes(live_server, visit_id)
    page.reload()
    page.get_by_role("button", name="Đã đến nhà", exact=True).click()
    page.get_by_role("button", name="Đúng, tổ đã đến").click()
    expect(page.locator(".flash").first).to_contain_text("Đã ghi đã đến nhà.")
    page.goto(live_server.url + f"/requests/{plea_id}")
    expect(page.locator("h1 .badge")).to_have_text("Đã đóng")
    expect(page.locator(".timeline")).to_contain_text("Đã đóng: đã đến nhà xong")
    page.goto(live_server.url + "/")
    expect(page.locator(".attention")).not_to_contain_text(plea_ref)
    last = received(live_server, E164)[-1]
    assert f"ma {visit_ref}" in last and last.startswith("Xa Phu Lam: Cam on")
    assert_fit_for_elderly_phones(last)
    assert problems == []
