"""One write transaction per inbound SMS, a savepoint around the answer, and few statements."""

import pytest

from app import communes, lifecycle, residents
from app.request_queue import service_requests
from app.request_queue.asked import Asked
from bench.profile_webhooks import STATEMENT_GOALS, statements_of
from db import kept, transaction
from sms import dialogue, inbox

PHONE = "+84912000111"


@pytest.fixture
def thread_db(app, text_in):
    """The connection the app's requests use on this thread, warmed by one message."""
    text_in("HEN Phu Hoa A", phone="+84912000999")  # caches loaded, trips generated
    database = kept.take(app.config["DATABASE_PATH"])
    kept.give_back(database)
    return database


def handle(db, body, sid="SM1", phone=PHONE):
    """Run one inbound SMS through the inbox, outside any web request."""
    return inbox.handle_sms(
        db,
        commune=communes.first_commune(db),
        phone=phone,
        body=body,
        provider="twilio",
        provider_id=sid,
        dedupe_key=f"t:{sid}",
    )


@pytest.mark.parametrize(
    ("path", "body"), [("sms HEN", "HEN Phu Hoa A"), ("sms guidance", "KHAISINH")]
)
def test_a_message_from_a_new_number_costs_at_most_its_statement_goal(
    thread_db, text_in, path, body
):
    with statements_of(thread_db) as log:
        [reply] = text_in(body, phone="+84912000123")[:1]

    assert reply.startswith("Xa Phu Lam: ")
    assert len(log.data) <= STATEMENT_GOALS[path], "\n".join(log.data)


@pytest.mark.parametrize("body", ["HEN Phu Hoa A", "KHAISINH", "LICH Tan Phu", "Cho toi hoi"])
def test_each_message_is_stored_and_answered_in_one_write_transaction(thread_db, text_in, body):
    with statements_of(thread_db) as log:
        assert text_in(body, phone="+84912000124")

    begins = [s for s in log.control if s.startswith("BEGIN")]
    commits = [s for s in log.control if s.startswith("COMMIT")]
    assert (len(begins), len(commits)) == (1, 1)
    assert any(s.startswith("SAVEPOINT") for s in log.control)  # around the answer


def test_a_failing_answer_is_undone_and_the_message_goes_to_staff(app, db, monkeypatch):
    def opens_a_visit_then_fails(db, resident, inbound, body, *args, **kwargs):
        service_requests.open_request(
            db, Asked(phone=resident["phone"], kind=lifecycle.VISIT, channel="sms", hamlet_id=1)
        )
        raise RuntimeError("the answer broke half way")

    monkeypatch.setattr(dialogue, "converse", opens_a_visit_then_fails)
    with app.test_request_context():
        outcome = handle(db, "Con toi om, xin can bo den nha")

    stored = db["messages"].get(outcome.inbound["id"])
    assert (stored["body"], stored["intent"]) == ("Con toi om, xin can bo den nha", "error")
    [question] = db["requests"].rows_where("resident_id = ?", [stored["resident_id"]])
    assert (question["kind"], question["description"]) == (
        "question",
        "Con toi om, xin can bo den nha",
    )
    assert stored["request_id"] == question["id"]
    assert outcome.replies[0].startswith("Xa Phu Lam: Da chuyen tin cho can bo")


def test_a_crash_while_answering_stores_nothing_so_the_provider_retry_is_a_first_delivery(
    app, db, monkeypatch
):
    def dies(*args, **kwargs):
        raise KeyboardInterrupt  # like a worker killed mid-answer: not an error to handle

    monkeypatch.setattr(dialogue, "converse", dies)
    with app.test_request_context(), pytest.raises(KeyboardInterrupt):
        handle(db, "HEN Phu Hoa A")
    assert db.execute("SELECT count(*) FROM messages").fetchone() == (0,)
    assert residents.by_phone(db, PHONE) is None
    monkeypatch.undo()

    with app.test_request_context():
        outcome = handle(db, "HEN Phu Hoa A")

    assert outcome.intent == "visit" and not outcome.duplicate
    with transaction(db):  # and the writer lock was given back
        pass


def test_a_visit_booked_as_it_is_stored_has_the_history_of_one_booked_afterwards(text_in, db):
    def history(phone):
        resident = residents.by_phone(db, phone)
        [request] = db["requests"].rows_where("resident_id = ?", [resident["id"]])
        events = db["request_events"].rows_where("request_id = ?", [request["id"]], order_by="id")
        fields = ("action", "actor_type", "from_status", "to_status", "note")
        steps = [tuple(event[key] for key in fields) for event in events]
        return request["status"], request["trip_id"], request["status_notes"], steps

    text_in("HEN Phu Hoa A", phone="+84912000201")
    with transaction(db):
        # A resident of 75 or more is booked the long way (they may take a place).
        vulnerable = residents.find_or_create(db, "+84912000202")
        residents.update(db, vulnerable["id"], age_75_plus=1)
    text_in("HEN Phu Hoa A", phone="+84912000202")

    assert history("+84912000201") == history("+84912000202")
    assert history("+84912000201")[0] == "scheduled"
