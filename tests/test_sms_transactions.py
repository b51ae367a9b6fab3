"""One write transaction per inbound SMS, a savepoint around the answer, and few statements."""

import datetime as dt

import pytest
import time_machine

from app import communes, lifecycle, residents
from app.delivery import waiting
from app.request_queue import service_requests
from app.request_queue.asked import Asked
from bench.profile_webhooks import STATEMENT_GOALS, statements_of
from db import connect, kept, transaction
from sms import dialogue, inbox
from tests.conftest import assert_empty_twiml

PHONE = "+84912000111"
# The door: the commune that owns the number, the message, its waiting row.
DOOR_STATEMENTS = 3
# What answering from the back adds to an answer's own statements: the lease (finding the
# oldest free phones, then taking each: two for one phone), the commune, reading the stored
# message, attaching its sender, and deleting the waiting row.
BACK_EXTRA = 6


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


def _statements(log):
    """The data statements of LOG; the trace repeats a statement for each trigger it fires
    (the report counters), which is not another statement."""
    return [s for n, s in enumerate(log.data) if n == 0 or s != log.data[n - 1]]


def _answering(app):
    """A connection of the worker's own and a function answering what waits on it."""
    database = connect(app.config["DATABASE_PATH"])
    return database, lambda: inbox.answer_waiting(database, "worker-a")


@pytest.mark.parametrize(
    ("path", "body"), [("sms HEN", "HEN Phu Hoa A"), ("sms guidance", "KHAISINH")]
)
def test_the_door_stores_in_one_short_transaction_and_the_back_keeps_its_statement_goal(
    app, thread_db, twilio_post, text_in, path, body
):
    params = {"MessageSid": "SM" + "7" * 32, "From": "+84912000123", "To": "+84000000000"}
    with statements_of(thread_db) as door:
        assert_empty_twiml(twilio_post("/sms/twilio", {**params, "Body": body}))
    # The commune's number, the message and its waiting row: nothing reads the catalogue.
    assert len(_statements(door)) <= DOOR_STATEMENTS, "\n".join(door.data)
    assert [s.split()[0] for s in door.control] == ["BEGIN", "COMMIT"]

    database, answer = _answering(app)
    with app.app_context():
        answer()  # warm the worker connection's caches on another number
        second = {**params, "MessageSid": "SM" + "8" * 32, "From": "+84912000125", "Body": body}
        assert_empty_twiml(twilio_post("/sms/twilio", second))
        with statements_of(database) as back:
            assert answer() == 1
    database.conn.close()
    # The lease, the answer and the removal of the waiting row, beside the answer's own.
    assert len(_statements(back)) <= STATEMENT_GOALS[path] + BACK_EXTRA, "\n".join(back.data)


@pytest.mark.parametrize("body", ["HEN Phu Hoa A", "KHAISINH", "LICH Tan Phu", "Cho toi hoi"])
def test_each_message_is_answered_in_one_write_transaction_with_a_savepoint(app, twilio_post, body):
    params = {"MessageSid": "SM" + "9" * 32, "From": "+84912000124", "To": "+84000000000"}
    assert_empty_twiml(twilio_post("/sms/twilio", {**params, "Body": body}))
    database, answer = _answering(app)
    with app.app_context(), statements_of(database) as log:
        assert answer() == 1
    database.conn.close()

    begins = [s for s in log.control if s.startswith("BEGIN")]
    commits = [s for s in log.control if s.startswith("COMMIT")]
    # One to lease the phone's messages, one to answer this one.
    assert (len(begins), len(commits)) == (2, 2)
    assert any(s.startswith("SAVEPOINT") for s in log.control)  # around the answer


def test_a_worker_killed_while_answering_leaves_the_message_to_be_answered_once_later(
    app, twilio_post, monkeypatch
):
    params = {"MessageSid": "SM" + "a" * 32, "From": PHONE, "To": "+84000000000"}
    assert_empty_twiml(twilio_post("/sms/twilio", {**params, "Body": "HEN Phu Hoa A"}))
    database = connect(app.config["DATABASE_PATH"])

    def dies(*args, **kwargs):
        raise KeyboardInterrupt  # like a worker killed mid-answer: not an error to handle

    with app.app_context():
        monkeypatch.setattr(dialogue, "converse", dies)
        with pytest.raises(KeyboardInterrupt):
            inbox.answer_waiting(database, "worker-a")
        monkeypatch.undo()
        [inbound] = database["messages"].rows
        assert inbound["intent"] is None and database["outbox"].count == 0
        # Its lease holds the phone: another worker leaves it alone until the lease expires.
        assert inbox.answer_waiting(database, "worker-b") == 0
        with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(seconds=60)):
            assert inbox.answer_waiting(database, "worker-b") == 1
            assert inbox.answer_waiting(database, "worker-a") == 0
    assert database["messages"].get(inbound["id"])["intent"] == "visit"
    assert database["outbox"].count == 1 and database["inbox_waiting"].count == 0
    assert database["requests"].count == 1
    database.conn.close()


def test_a_worker_that_lost_its_lease_answers_nothing(app, twilio_post):
    params = {"MessageSid": "SM" + "b" * 32, "From": PHONE, "To": "+84000000000"}
    assert_empty_twiml(twilio_post("/sms/twilio", {**params, "Body": "HEN Phu Hoa A"}))
    database = connect(app.config["DATABASE_PATH"])
    with app.app_context():
        [row] = waiting.lease(database, "worker-a")
        with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(seconds=60)):
            [taken] = waiting.lease(database, "worker-b")
        assert taken["message_id"] == row["message_id"]
        # worker-a wakes up late: its answer is refused and rolled back.
        with communes.bound(communes.first_commune(database)):
            assert inbox._answer(database, row, "worker-a") is False
        assert database["outbox"].count == 0
        with communes.bound(communes.first_commune(database)):
            assert inbox._answer(database, taken, "worker-b") is True
    assert database["outbox"].count == 1
    database.conn.close()


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
