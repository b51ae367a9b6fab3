"""The schedule on the phone: the same answer as by SMS, and a visit asked for from it."""

import pytest

from app import residents, trips
from app.catalogue import hamlets
from app.infra import clock
from db import transaction
from tests.test_voice import MOBILE, Call, rows

CALLER = "+84912000111"  # the number text_in sends from


def hamlet_named(db, name):
    return next(row for row in hamlets.active(db) if row["name"] == name)


def day_words(trip):
    """The date as the voice says it: "ngày 2 tháng 12"."""
    day = clock.to_local(trip["starts_at"]).date()
    return f"ngày {day.day} tháng {day.month}"


@pytest.fixture
def no_trips_planned_yet(db):
    """The schedule rules stand, but no trip has been generated from them yet."""
    with transaction(db):
        db.execute("DELETE FROM trip_hamlets")
        db.execute("DELETE FROM trips")


def test_a_caller_hears_the_same_next_trip_as_a_texter_even_before_trips_exist(
    db, twilio_post, text_in, no_trips_planned_yet
):
    hamlet = hamlet_named(db, "Phú Hòa A")
    with transaction(db):
        residents.find_or_create(db, CALLER, hamlet_id=hamlet["id"])
    call = Call(twilio_post, phone=CALLER)
    call.start()
    call.press("3")
    [trip] = trips.upcoming_for_hamlet(db, hamlet["id"], limit=1)
    assert call.hears("Lần tới, cán bộ đến ấp Phú Hòa A vào buổi sáng, thứ")
    assert call.hears(day_words(trip))
    [reply] = text_in("LICH")
    assert trips.next_trip_for(db, hamlet["id"])["id"] == trip["id"]
    assert f"{clock.to_local(trip['starts_at']):%d/%m}" in reply


def test_an_unknown_caller_hears_a_generated_trip_for_the_hamlet_they_pick(
    db, twilio_post, no_trips_planned_yet
):
    call = Call(twilio_post)
    call.start()
    call.press("3")
    call.press("3")  # Long Hòa 1, a group of one
    [trip] = trips.upcoming_for_hamlet(db, hamlet_named(db, "Long Hòa 1")["id"], limit=1)
    assert call.hears(day_words(trip))


def test_a_visit_asked_for_from_another_hamlets_schedule_is_to_the_callers_home(db, twilio_post):
    home, other = hamlet_named(db, "Phú Hòa A"), hamlet_named(db, "Phú Đông")
    with transaction(db):
        resident = residents.find_or_create(db, MOBILE, hamlet_id=home["id"])
    call = Call(twilio_post)
    call.request(f"/voice/schedule/{other['id']}?n=2", "9")  # 9: hear it (again)
    assert call.hears("Lần tới, cán bộ đến ấp Phú Đông")
    assert call.hears("Xin cán bộ đến nhà ông bà ở ấp Phú Hòa A, bấm phím 1.")
    call.press("1")
    [request] = rows(db, "requests")
    assert request["hamlet_id"] == home["id"]
    assert trips.get(db, request["trip_id"])["id"] in {
        trip["id"] for trip in trips.upcoming_for_hamlet(db, home["id"])
    }
    assert residents.get(db, resident["id"])["hamlet_id"] == home["id"]
    assert call.hears("Cán bộ đến ấp Phú Hòa A")


def test_asking_again_from_another_hamlets_schedule_keeps_the_open_visit_and_the_home(
    db, twilio_post
):
    home, other = hamlet_named(db, "Phú Hòa A"), hamlet_named(db, "Phú Đông")
    with transaction(db):
        resident = residents.find_or_create(db, MOBILE, hamlet_id=home["id"])
    first = Call(twilio_post)
    first.start()
    first.press("1")
    first.press("1")
    [booked] = rows(db, "requests")
    again = Call(twilio_post, call_sid="CA" + "c" * 32)
    again.request(f"/voice/schedule/{other['id']}?n=2", "9")
    again.press("1")
    assert again.hears("Ông bà đã có hẹn.")
    assert again.hears("Cán bộ đến ấp Phú Hòa A")
    assert rows(db, "requests") == [booked]
    assert residents.get(db, resident["id"])["hamlet_id"] == home["id"]


def test_a_caller_without_a_hamlet_who_picks_one_for_the_schedule_lives_there(db, twilio_post):
    call = Call(twilio_post)
    call.start()
    call.press("3")
    call.press("2")  # the hamlets of the former Phú Long
    call.press("1")  # Phú Đông
    assert call.hears("Xin cán bộ đến nhà ông bà, bấm phím 1.")
    call.press("1")
    other = hamlet_named(db, "Phú Đông")
    [request] = rows(db, "requests")
    assert request["hamlet_id"] == other["id"]
    assert residents.by_phone(db, MOBILE)["hamlet_id"] == other["id"]
