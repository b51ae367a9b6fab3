"""Messages a person must read: marked on a request, emergencies first, never lowered."""

import pytest

from app import lifecycle, residents
from app.request_queue import attention, follow_ups, service_requests
from app.request_queue.asked import Asked
from db import transaction


def _resident(db, phone="0912000777"):
    return residents.find_or_create(db, phone)


def test_a_plea_without_a_request_opens_a_question_with_the_full_words(app, db):
    words = "toi o mot minh, benh hoai, khong di duoc"
    with app.app_context(), transaction(db):
        request = attention.for_a_person(
            db, resident=_resident(db), words=words, reason="distress", source_key="sms:1"
        )
    assert (request["kind"], request["description"]) == ("question", words)
    assert request["attention"] == "distress" and request["attention_at"]


def test_a_second_plea_updates_the_open_question_instead_of_opening_another(app, db):
    with app.app_context(), transaction(db):
        resident = _resident(db)
        first = attention.for_a_person(db, resident=resident, words="giup voi", reason="distress")
        again = attention.for_a_person(db, resident=resident, words="cap cuu", reason="emergency")
    assert again["id"] == first["id"] and again["attention"] == "emergency"
    notes = [
        e["note"] for e in lifecycle.events(db, first["id"]) if e["action"] == "resident_wrote"
    ]
    assert notes == ["cap cuu"]
    assert db["requests"].count == 1


def test_attention_is_never_lowered_by_a_milder_message(app, db):
    with app.app_context(), transaction(db):
        resident = _resident(db)
        attention.for_a_person(db, resident=resident, words="cap cuu", reason="emergency")
        request = attention.for_a_person(db, resident=resident, words="x" * 200, reason="long")
    assert request["attention"] == "emergency"


def test_a_request_the_answer_opened_carries_the_mark(app, db):
    with app.app_context(), transaction(db):
        resident = _resident(db)
        visit, _ = service_requests.open_request(
            db, Asked(phone=resident["phone"], kind=lifecycle.VISIT, channel="sms", hamlet_id=1)
        )
        marked = attention.for_a_person(
            db, resident=resident, words="long story", reason="long", request=visit
        )
    assert marked["id"] == visit["id"] and marked["attention"] == "long"


def test_reading_a_plea_lowers_nothing_and_closing_it_clears_the_mark(app, db):
    with app.app_context(), transaction(db):
        request = attention.for_a_person(
            db, resident=_resident(db), words="giup voi", reason="distress"
        )
        read = attention.mark_read(db, request["id"], actor="lan")
        assert read["attention"] == "distress"
        assert lifecycle.events(db, request["id"])[-1]["action"] == "attention_read"
        assert attention.read_by(db, request["id"])["actor"] == "lan"
        closed = service_requests.cancel_request(db, request["id"], actor_type="staff", actor="lan")
    assert closed["status"] == "closed" and closed["attention"] is None


def test_an_emergency_promises_a_call_back_that_waits_for_an_officer(app, db):
    with app.app_context(), transaction(db):
        request = attention.for_a_person(
            db, resident=_resident(db), words="cuu voi", reason="emergency"
        )
        (owed,) = follow_ups.for_request(db, request["id"])
        assert owed["kind"] == "call_back" and owed["due_at"] and owed["done_at"] is None
        with pytest.raises(follow_ups.FollowUpError):
            follow_ups.finish(db, owed["id"], outcome="not_called", actor="lan")
        done = follow_ups.finish(db, owed["id"], outcome="called", actor="lan", note="ok")
    assert done["done_by"] == "lan" and done["outcome"] == "called"
