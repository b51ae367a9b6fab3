"""Ways out of a full trip: more places, a bump as previewed, a trip more, and a re-plan."""

import datetime as dt

import pytest

from app import lifecycle, profiles, trips
from app.trips import room
from tests.test_staff_pages import hamlet_id, open_visit


def full_next_trip(db, phones):
    """Book PHONES in Phú Lợi on its next trip, and shrink that trip to exactly them."""
    visits = [open_visit(db, phone=phone, hamlet="PHULOI") for phone in phones]
    trip = trips.next_trip_for(db, hamlet_id(db, "PHULOI"))
    db["trips"].update(trip["id"], {"capacity": trips.booked(db, trip["id"])})
    return trips.get(db, trip["id"]), visits


def last_sms(db, request_id):
    return db.execute(
        "SELECT body FROM outbox WHERE request_id = ? ORDER BY id DESC LIMIT 1", [request_id]
    ).fetchone()[0]


def test_a_bump_moves_the_previewed_visit_and_sends_the_previewed_sms(monday_morning, db):
    trip, (first, second) = full_next_trip(db, ["+84909000011", "+84909000012"])
    waiting = open_visit(db, phone="+84909000013", hamlet="PHULOI")
    assert lifecycle.get(db, waiting["id"])["trip_id"] != trip["id"]
    preview = room.bump_preview(db, trip["id"], waiting["id"])
    assert preview["victim"]["id"] == second["id"]  # the most recent of the least urgent
    with pytest.raises(trips.TripError):
        room.bump_onto(db, trip["id"], waiting["id"], first["id"], actor="lan")
    room.bump_onto(db, trip["id"], waiting["id"], second["id"], actor="lan")
    assert lifecycle.get(db, waiting["id"])["trip_id"] == trip["id"]
    assert lifecycle.get(db, second["id"])["trip_id"] != trip["id"]
    assert last_sms(db, second["id"]) == preview["sms"]


def test_raising_the_places_takes_the_visit_and_lowering_them_moves_the_last_one(
    monday_morning, db
):
    trip, (first, second) = full_next_trip(db, ["+84909000021", "+84909000022"])
    waiting = open_visit(db, phone="+84909000023", hamlet="PHULOI")
    room.raise_and_book(db, trip["id"], waiting["id"], actor="lan")
    assert trips.get(db, trip["id"])["capacity"] == trip["capacity"] + 1
    assert lifecycle.get(db, waiting["id"])["trip_id"] == trip["id"]
    room.set_capacity(db, trip["id"], trip["capacity"], actor="lan")
    assert trips.booked(db, trip["id"]) == trip["capacity"]
    assert lifecycle.get(db, waiting["id"])["trip_id"] != trip["id"]


def test_an_extra_trip_like_a_full_one_takes_the_waiting_visit(monday_morning, db):
    trip, _visits = full_next_trip(db, ["+84909000031"])
    waiting = open_visit(db, phone="+84909000032", hamlet="PHULOI")
    extra = room.extra_trip_like(
        db, trip["id"], room_day(trip), actor="lan", request_id=waiting["id"]
    )
    assert extra["is_extra"] == 1 and extra["session"] == trip["session"]
    assert trips.hamlet_ids(db, extra["id"]) == trips.hamlet_ids(db, trip["id"])
    assert lifecycle.get(db, waiting["id"])["trip_id"] == extra["id"]


def room_day(trip):
    return (dt.date.fromisoformat(trip["date"]) + dt.timedelta(days=1)).isoformat()


def test_marking_a_resident_hard_to_move_takes_a_place_on_the_full_trip_at_once(monday_morning, db):
    trip, (first,) = full_next_trip(db, ["+84909000041"])
    later = open_visit(db, phone="+84909000042", hamlet="PHULOI")
    assert lifecycle.get(db, later["id"])["trip_id"] != trip["id"]
    profiles.update_resident(db, later["resident_id"], {"limited_mobility": 1}, actor="lan")
    moved = lifecycle.get(db, later["id"])
    assert (moved["trip_id"], moved["priority"]) == (trip["id"], 1)
    assert lifecycle.get(db, first["id"])["trip_id"] != trip["id"]
    assert "da doi" in last_sms(db, later["id"]) and "da doi" in last_sms(db, first["id"])
