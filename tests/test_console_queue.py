"""The queue puts the urgent work first and shows why a resident goes first."""

import re

from app import lifecycle, residents
from app.request_queue import attention, service_requests
from app.request_queue.asked import Asked
from tests.test_staff_pages import open_question, open_visit


def refs_in_order(page, refs):
    listing = page[page.index('id="list-h"') :]
    found = {ref: listing.index(ref) for ref in refs}
    return sorted(refs, key=found.get)


def test_the_queue_lists_what_needs_a_person_then_visits_without_a_trip_then_by_trip_date(
    staff_client, db
):
    booked = open_visit(db, phone="+84912000001", name="Bà Một")
    question = open_question(db)
    no_hamlet = open_visit(db, phone="+84912000002", hamlet=None, name="Ông Hai")
    waiting = open_visit(db, phone="+84912000003", name="Bà Ba")
    lifecycle.transition(
        db, waiting["id"], "new", actor_type="staff", trip_id=None, expected_datetime=None
    )
    page = staff_client.get("/").get_data(as_text=True)
    order = refs_in_order(page, [booked["ref"], question["ref"], no_hamlet["ref"], waiting["ref"]])
    assert order[:2] == sorted([question["ref"], no_hamlet["ref"]], key=order.index)
    assert order[2:] == [waiting["ref"], booked["ref"]]


def test_an_emergency_heads_the_queue_after_it_is_read_until_it_is_closed(staff_client, db):
    question = open_question(db)
    visit = open_visit(db, phone="+84912000004", hamlet=None, name="Ông Bốn")
    emergency = attention.mark(db, open_visit(db, phone="+84912000005"), attention.EMERGENCY)
    refs = [question["ref"], visit["ref"], emergency["ref"]]
    assert refs_in_order(staff_client.get("/").get_data(as_text=True), refs)[0] == emergency["ref"]
    attention.mark_read(db, emergency["id"], actor="lan")
    assert refs_in_order(staff_client.get("/").get_data(as_text=True), refs)[0] == emergency["ref"]
    service_requests.cancel_request(db, emergency["id"], actor_type="staff", actor="lan")
    page = staff_client.get("/").get_data(as_text=True)
    assert 'class="box urgent"' not in page  # closed: no longer an emergency to read
    # The call back its SMS promised is still owed, on top, until an officer records it.
    (owed,) = re.findall(r'class="box urgent follow-ups">(.*?)</div>', page, re.S)
    assert emergency["ref"] in owed


def test_an_emergency_comes_before_a_plea_and_a_plea_before_a_long_message(staff_client, db):
    long = attention.mark(db, open_question(db), attention.LONG)
    plea = attention.mark(db, open_visit(db, phone="+84912000006"), attention.DISTRESS)
    emergency = attention.mark(db, open_visit(db, phone="+84912000007"), attention.EMERGENCY)
    refs = [long["ref"], plea["ref"], emergency["ref"]]
    page = staff_client.get("/").get_data(as_text=True)
    assert refs_in_order(page, refs) == [emergency["ref"], plea["ref"], long["ref"]]
    # The list says why, on the row itself.
    listing = page[page.index('id="list-h"') :]
    row = listing[listing.index(emergency["ref"]) :][:600]
    assert "Khẩn cấp" in row


def test_a_visit_booked_by_an_unknown_caller_is_in_needs_attention(staff_client, db):
    request, _ = service_requests.open_request(
        db, Asked(phone="+84912000009", kind=lifecycle.VISIT, channel="voice")
    )
    page = staff_client.get("/").get_data(as_text=True)
    attention = page[page.index('id="attention-h"') : page.index('id="trips-h"')]
    assert "Gọi lại: đã hẹn, chưa rõ tên hay nhu cầu" in attention
    assert request["ref"] in attention and 'href="tel:+84912000009"' in attention


def test_priority_reasons_are_short_labels_not_a_star(staff_client, db):
    visit = open_visit(db, age_75_plus=1, lives_alone=1, limited_mobility=1)
    page = staff_client.get("/").get_data(as_text=True)
    row = page[page.index(visit["ref"]) :][:600]
    assert re.search(r">75\+<.*>một mình<.*>đi lại khó<", row, re.S)
    assert "★" not in page


def test_tomorrows_trip_is_marked_tomorrow(staff_client, db, time_machine):
    visit = open_visit(db)
    trip = db["trips"].get(visit["trip_id"])
    time_machine.move_to(f"{trip['date']}T00:00:00+07:00", tick=False)
    time_machine.shift(-86400 + 8 * 3600)  # 08:00 the day before
    from tests.conftest import signed_in_client  # noqa: PLC0415  a session at the new time

    client = signed_in_client(staff_client.application, "lan2", "staff")
    page = client.get("/").get_data(as_text=True)
    assert "ngày mai" in page


def test_walk_in_records_how_to_find_the_house(staff_client, db):
    staff_client.post(
        "/requests/new",
        data={"kind": "visit", "phone": "0912 000 777", "landmark": "hẻm cạnh tiệm tạp hóa"},
    )
    resident = residents.by_phone(db, "+84912000777")
    assert resident["landmark"] == "hẻm cạnh tiệm tạp hóa"
