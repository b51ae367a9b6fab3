"""Messages a person must read: marked on a request, emergencies first, never lowered."""

from app import lifecycle, residents
from app.request_queue import attention, service_requests
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


def test_an_officer_clears_the_mark_once_read(app, db):
    with app.app_context(), transaction(db):
        request = attention.for_a_person(
            db, resident=_resident(db), words="giup voi", reason="distress"
        )
        cleared = attention.clear(db, request["id"], actor="lan")
    assert cleared["attention"] is None
    assert lifecycle.events(db, request["id"])[-1]["action"] == "attention_cleared"
