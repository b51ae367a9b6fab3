import pytest

from app import lifecycle, residents
from app.request_queue import service_requests
from app.request_queue.asked import Asked
from db import transaction
from tests.conftest import on_trip_day


def open_visit(db, phone="0912345678", hamlet_id=1, **kwargs):
    with transaction(db):
        return service_requests.open_request(
            db,
            Asked(phone=phone, kind=lifecycle.VISIT, channel="sms", hamlet_id=hamlet_id, **kwargs),
        )


def test_a_visit_request_lands_on_the_next_trip_to_the_hamlet(app, db):
    with app.app_context():
        request, created = open_visit(db)
    assert created
    assert request["status"] == "scheduled"
    assert request["trip_id"] and request["expected_datetime"]
    assert len(request["ref"]) == service_requests.REF_LENGTH
    assert [e["action"] for e in lifecycle.events(db, request["id"])] == [
        "opened",
        "assigned",
    ]


def test_a_second_visit_request_returns_the_open_one(app, db):
    with app.app_context():
        first, _ = open_visit(db)
        second, created = open_visit(db, phone="+84912345678")
    assert not created and second["id"] == first["id"]
    assert db["requests"].count == 1


def test_a_second_visit_request_for_another_hamlet_moves_neither_the_visit_nor_the_home(app, db):
    with app.app_context():
        first, _ = open_visit(db, hamlet_id=1)
        second, created = open_visit(db, hamlet_id=2)
    assert not created and second == first
    assert residents.get(db, first["resident_id"])["hamlet_id"] == 1
    assert [e["action"] for e in lifecycle.events(db, first["id"])] == ["opened", "assigned"]


def test_the_same_source_key_never_opens_two_requests(app, db):
    with app.app_context():
        first, _ = open_visit(db, source_key="twilio:SM1")
        service_requests.cancel_request(db, first["id"], actor_type="resident")
        again, created = open_visit(db, source_key="twilio:SM1")
    assert not created and again["id"] == first["id"]


def test_vulnerable_residents_get_priority(app, db):
    with app.app_context():
        resident = residents.find_or_create(db, "0987654321")
        residents.update(db, resident["id"], age_75_plus=1)
        request, _ = open_visit(db, phone="0987654321")
    assert request["priority"] == 1


def test_impossible_transitions_are_refused(app, db):
    with app.app_context():
        request, _ = open_visit(db)
        with on_trip_day(db, request["id"]):
            service_requests.mark_visited(db, request["id"], actor="lan")
        with pytest.raises(lifecycle.InvalidTransition):
            lifecycle.transition(db, request["id"], "scheduled", actor_type="staff")


def test_marking_visited_thanks_the_resident_once(app, db):
    with app.app_context():
        request, _ = open_visit(db)
        with on_trip_day(db, request["id"]):
            service_requests.mark_visited(db, request["id"], actor="lan", note="cài VNeID xong")
    rows = list(db["outbox"].rows_where("request_id = ?", [request["id"]]))
    assert [row["kind"] for row in rows] == ["visited"]
    assert rows[0]["body"].startswith("Xa Phu Lam: Cam on")
    event = lifecycle.events(db, request["id"])[-1]
    assert (event["actor_type"], event["actor"], event["to_status"]) == ("staff", "lan", "visited")


def test_answering_a_question_sends_the_answer_unaccented(app, db):
    with app.app_context():
        with transaction(db):
            question, _ = service_requests.open_request(
                db,
                Asked(
                    phone="0912345678", kind=lifecycle.QUESTION, channel="sms", description="Hỏi?"
                ),
            )
        service_requests.answer_question(db, question["id"], "Mang căn cước đến xã.", actor="lan")
    (row,) = db["outbox"].rows_where("request_id = ?", [question["id"]])
    assert row["body"] == "Xa Phu Lam: Mang can cuoc den xa."
    assert lifecycle.get(db, question["id"])["status"] == "answered"


def test_two_answers_within_one_second_both_reach_the_resident(app, db, time_machine):
    time_machine.move_to("2027-03-01 03:00:00+00:00", tick=False)
    with app.app_context():
        with transaction(db):
            question, _ = service_requests.open_request(
                db,
                Asked(
                    phone="0912345678", kind=lifecycle.QUESTION, channel="sms", description="Hỏi?"
                ),
            )
        service_requests.answer_question(db, question["id"], "Mang căn cước.", actor="lan")
        lifecycle.transition(db, question["id"], "open", actor_type="staff", actor="lan")
        service_requests.answer_question(db, question["id"], "Mang cả sổ hộ khẩu.", actor="lan")
    bodies = [row["body"] for row in db["outbox"].rows_where("kind = 'answer'", order_by="id")]
    assert bodies == ["Xa Phu Lam: Mang can cuoc.", "Xa Phu Lam: Mang ca so ho khau."]


def test_staff_and_api_channels_get_a_confirmation_sms(app, db):
    with app.app_context():
        request, _ = open_visit(db, notify=True)
    (row,) = db["outbox"].rows_where("kind = 'confirmation'")
    assert request["ref"] in row["body"] and "Thu " in row["body"]


def test_a_question_filed_for_a_resident_is_acknowledged_with_its_reference(app, db):
    with app.app_context():
        with transaction(db):
            question, _ = service_requests.open_request(
                db,
                Asked(
                    phone="0912345678",
                    kind=lifecycle.QUESTION,
                    channel="staff",
                    description="Hỏi về trợ cấp",
                    notify=True,
                ),
            )
    (row,) = db["outbox"].rows_where("request_id = ?", [question["id"]])
    assert row["kind"] == "confirmation"
    assert question["ref"] in row["body"] and row["body"].startswith("Xa Phu Lam: Da nhan cau hoi")


def test_what_a_channel_heard_is_one_frozen_value():
    import dataclasses

    fields = {"name": "Hoa"}
    asked = Asked.visit("0912345678", "staff", hamlet_id=1, resident_fields=fields)
    fields["name"] = "changed later"
    assert asked.kind == lifecycle.VISIT and asked.resident_fields == {"name": "Hoa"}
    with pytest.raises(dataclasses.FrozenInstanceError):
        asked.hamlet_id = 2
    with pytest.raises(TypeError):
        asked.resident_fields["name"] = "Lan"
