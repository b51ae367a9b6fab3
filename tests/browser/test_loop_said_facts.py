"""What a resident says about themselves becomes data with one tap, and trips follow at once.

An 85-year-old who lives alone and cannot walk texts for help, then books a visit with HEN;
the next trip to his hamlet is full, so the visit lands on a later one. The officer sees
"85 tuổi (75+)" on the request and taps it: his profile says 75+, his visit takes the place
of the least urgent one on the full trip, and he gets the earlier date by SMS. His stated
name replaces "(chưa có tên)".
"""

import re

from playwright.sync_api import expect

from tests.browser.loop_support import (
    assert_fit_for_elderly_phones,
    fill_first_trip,
    look,
    query,
    received,
    resident_texts,
    trip_of,
)
from tests.browser.support import sign_in

PHONE, E164 = "0977 888 111", "+84977888111"
FILLER = "+84988000101"
PLEA = (
    "Tôi tên là Nguyễn Văn Ba, 85 tuổi, sống một mình, bị liệt không đi được,"
    " nhờ cán bộ tới giúp làm giấy tờ đất"
)


def test_stated_age_accepted_in_one_tap_moves_the_visit_onto_the_full_trip(
    sized, live_server, admin_login, artifacts
):
    page = sized.page
    sign_in(page, live_server.url, *admin_login)
    full_trip, full_date = fill_first_trip(live_server, "Phú Lợi", fillers=(FILLER,))
    resident_texts(page, live_server.url, PHONE, PLEA)
    menu = " ".join(
        resident_texts(page, live_server.url, PHONE, "HEN") + received(live_server, E164)
    )
    digit = re.search(r"(\d+)\s*=\s*Phu Loi", menu)[1]
    resident_texts(page, live_server.url, PHONE, digit)
    rows = query(
        live_server,
        "SELECT r.id, r.ref, r.kind FROM requests r JOIN residents res ON res.id = r.resident_id"
        " WHERE res.phone = ? ORDER BY r.id",
        [E164],
    )
    plea_id = next(row[0] for row in rows if row[2] == "question")
    visit_ref = next(row[1] for row in rows if row[2] == "visit")
    assert trip_of(live_server, visit_ref)[0] != full_trip  # the full trip had no place
    problems = []

    page.goto(live_server.url + f"/requests/{plea_id}")
    expect(page.locator(".facts").first).to_contain_text("(chưa có tên)")
    said = page.locator(".said-facts")
    expect(said).to_contain_text("85 tuổi (75+)")
    expect(said).to_contain_text("Sống một mình")
    expect(said).to_contain_text("Khó đi lại hoặc nằm một chỗ")
    problems += look(page, artifacts, "said-facts", sized.name)
    taps = 0
    said.get_by_role("button", name="85 tuổi (75+)").click()
    taps += 1
    expect(page.locator(".flash").first).to_contain_text("Đã lưu vào hồ sơ")
    print(f"\n[{sized.name}] stated age -> visit moved onto the full trip: {taps} tap")

    # At once: his visit is on the full trip, first in the route; the filler moved on.
    assert trip_of(live_server, visit_ref) == (full_trip, full_date)
    page.goto(live_server.url + f"/trips/{full_trip}")
    expect(page.locator("main")).to_contain_text("0977 888 111")
    expect(page.locator("main")).not_to_contain_text("0988 000 101")
    bumped = received(live_server, FILLER)[-1]
    assert "da doi" in bumped
    assert_fit_for_elderly_phones(bumped)

    # His stated name, in one more tap.
    page.goto(live_server.url + f"/requests/{plea_id}")
    page.locator(".said-facts").get_by_role("button", name="Tên: Nguyễn Văn Ba").click()
    expect(page.locator(".facts").first).to_contain_text("Nguyễn Văn Ba")
    expect(page.locator(".said-facts")).not_to_contain_text("85 tuổi")

    last = received(live_server, E164)[-1]
    assert f"ma {visit_ref} da doi" in last
    day = f"{full_date[8:10]}/{full_date[5:7]}"
    assert day in last
    assert_fit_for_elderly_phones(last)
    assert problems == []
