"""A full trip has ways out: bump the least urgent with a preview, add a place, add a trip.

A resident books by SMS while the next trip to the hamlet is full, so the visit lands on a
later trip. The officer chooses the full trip anyway: the trip's ways out open, with the
visit that would move and the exact SMS its resident will get. One tap moves them; the
moved resident gets that SMS, and ours gets the earlier date. From the trip page the
officer also raises the places and adds an extra trip.
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

PHONE, E164 = "0966 222 333", "+84966222333"
FILLER = "+84988000202"


def test_a_full_trip_takes_the_resident_in_three_taps_with_a_preview_of_who_moves(
    sized, live_server, admin_login, artifacts
):
    page = sized.page
    sign_in(page, live_server.url, *admin_login)
    full_trip, full_date = fill_first_trip(live_server, "Phú Lợi", fillers=(FILLER,))
    menu = " ".join(
        resident_texts(page, live_server.url, PHONE, "HEN") + received(live_server, E164)
    )
    digit = re.search(r"(\d+)\s*=\s*Phu Loi", menu)[1]
    resident_texts(page, live_server.url, PHONE, digit)
    ((request_id, ref),) = query(
        live_server,
        "SELECT r.id, r.ref FROM requests r JOIN residents res ON res.id = r.resident_id"
        " WHERE res.phone = ? AND r.kind = 'visit'",
        [E164],
    )
    ((filler_ref,),) = query(
        live_server,
        "SELECT r.ref FROM requests r JOIN residents res ON res.id = r.resident_id"
        " WHERE res.phone = ?",
        [FILLER],
    )
    assert trip_of(live_server, ref)[0] != full_trip
    problems = []

    page.goto(live_server.url + f"/requests/{request_id}")
    day = f"{full_date[8:10]}/{full_date[5:7]}"
    full_option = page.locator("#trip_id option").filter(has_text=day).first
    expect(full_option).to_contain_text("đầy")
    expect(full_option).to_be_enabled()
    taps = 0
    page.locator("#trip_id").select_option(value=full_option.get_attribute("value"))
    taps += 1
    page.get_by_role("button", name="Xếp vào chuyến này").click()
    taps += 1
    expect(page.get_by_role("heading", level=1)).to_contain_text("đã đầy")
    preview = page.locator(".card").filter(has_text="Dời lượt ít gấp nhất")
    expect(preview).to_contain_text(filler_ref)
    previewed_sms = preview.locator(".sms").inner_text()
    assert f"ma {filler_ref}" in previewed_sms
    problems += look(page, artifacts, "full-trip-ways-out", sized.name)
    preview.get_by_role("button", name=re.compile(f"Dời {filler_ref}")).click()
    taps += 1
    print(f"\n[{sized.name}] full trip -> resident moved: {taps} taps")
    assert taps <= 4

    expect(page.locator(".flash").first).to_contain_text("Cả hai người dân nhận tin nhắn")
    assert trip_of(live_server, ref) == (full_trip, full_date)
    assert trip_of(live_server, filler_ref)[0] != full_trip
    assert received(live_server, FILLER)[-1] == previewed_sms
    assert_fit_for_elderly_phones(previewed_sms)
    last = received(live_server, E164)[-1]
    assert f"ma {ref} da doi" in last and day in last
    assert_fit_for_elderly_phones(last)

    # The trip page itself: raise its places, and add a trip like it on another day.
    page.goto(live_server.url + f"/trips/{full_trip}")
    tools = page.locator("details.trip-room-tools")
    expect(tools).to_have_attribute("open", "")
    problems += look(page, artifacts, "full-trip-sheet", sized.name)
    capacity = int(page.get_by_label("Số chỗ của chuyến này").input_value())
    page.get_by_label("Số chỗ của chuyến này").fill(str(capacity + 2))
    page.get_by_role("button", name="Lưu số chỗ").click()
    expect(page.locator(".flash").first).to_contain_text("Đã lưu số chỗ")
    ((saved,),) = query(live_server, "SELECT capacity FROM trips WHERE id = ?", [full_trip])
    assert saved == capacity + 2
    before = query(live_server, "SELECT count(*) FROM trips WHERE is_extra = 1")[0][0]
    page.locator("details.trip-room-tools summary").click() if not tools.evaluate(
        "d => d.open"
    ) else None
    page.get_by_role("button", name="Thêm chuyến").click()
    expect(page.locator(".flash").first).to_contain_text("Đã thêm chuyến")
    after = query(live_server, "SELECT count(*) FROM trips WHERE is_extra = 1")[0][0]
    assert after == before + 1
    assert problems == []
