"""A question becomes a visit and closes with it; "not at home" is an officer's follow-up."""

import pytest

from app import lifecycle
from app.request_queue import absences, conversions, follow_ups, service_requests
from tests.conftest import on_trip_day
from tests.test_staff_pages import hamlet_id, open_question, open_visit


def outbox_bodies(db, phone):
    return [row[0] for row in db.execute("SELECT body FROM outbox WHERE phone = ?", [phone])]


def test_a_question_becomes_a_linked_visit_that_closes_it_when_done(monday_morning, db):
    question = open_question(db, phone="+84909000001", text="toi bi liet, nho can bo toi giup")
    visit, created = conversions.visit_from(
        db, question["id"], hamlet_id=hamlet_id(db, "PHULOI"), actor="lan", service_code="CANCUOC"
    )
    assert created and visit["kind"] == "visit" and visit["origin_request_id"] == question["id"]
    assert visit["service_code"] == "CANCUOC" and visit["status"] == "scheduled"
    opened = lifecycle.events(db, visit["id"])[0]
    assert (opened["action"], opened["actor"], opened["actor_type"]) == ("opened", "lan", "staff")
    assert lifecycle.get(db, question["id"])["status"] == "answered"
    assert [row["ref"] for row in conversions.linked(db, question["id"])] == [visit["ref"]]
    assert f"ma {visit['ref']}" in outbox_bodies(db, "+84909000001")[-1]
    with on_trip_day(db, visit["id"]):
        service_requests.mark_visited(db, visit["id"], actor="lan")
        closed = lifecycle.get(db, question["id"])
    assert closed["status"] == "closed"
    assert lifecycle.events(db, question["id"])[-1]["action"] == "closed_by_visit"


def test_only_an_open_question_becomes_a_visit(db):
    visit = open_visit(db)
    with pytest.raises(lifecycle.InvalidTransition):
        conversions.visit_from(db, visit["id"], hamlet_id=visit["hamlet_id"], actor="lan")


def not_home(db, phone):
    """A booked visit whose team found nobody on the day of its trip."""
    visit = open_visit(db, phone=phone)
    with on_trip_day(db, visit["id"]):
        service_requests.mark_unreachable(db, visit["id"], actor="lan", note="hen chuyen sau")
    return visit


def test_not_at_home_tells_the_resident_the_team_will_call_and_opens_a_follow_up(
    monday_morning, db
):
    visit = not_home(db, "+84909000002")
    last = outbox_bodies(db, "+84909000002")[-1]
    assert "lien he lai" in last and "HEN" not in last
    (owed,) = follow_ups.for_request(db, visit["id"])
    assert (owed["kind"], owed["note"], owed["done_at"]) == ("not_home", "hen chuyen sau", None)


def test_rebooking_after_not_at_home_takes_the_next_trip_and_tells_the_resident(monday_morning, db):
    visit = not_home(db, "+84909000003")
    missed = lifecycle.get(db, visit["id"])["trip_id"]
    rebooked = absences.rebook(db, visit["id"], actor="lan")
    assert rebooked["status"] == "scheduled" and rebooked["trip_id"] != missed
    assert "da doi" in outbox_bodies(db, "+84909000003")[-1]
    assert follow_ups.for_request(db, visit["id"])[0]["outcome"] == "rebooked"


def test_call_first_turns_the_follow_up_into_a_call_back_and_closing_needs_a_reason(
    monday_morning, db
):
    visit = not_home(db, "+84909000004")
    call = absences.call_first(db, visit["id"], actor="lan")
    assert call["kind"] == "call_back" and call["due_at"]
    other = not_home(db, "+84909000005")
    with pytest.raises(follow_ups.FollowUpError):
        absences.close(db, other["id"], actor="lan", reason=" ")
    closed = absences.close(db, other["id"], actor="lan", reason="da chuyen nha")
    assert closed["status"] == "cancelled"
