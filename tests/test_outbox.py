"""The outbox sender: leases, retries with backoff, failures, opt-out, quiet hours, races."""

import datetime as dt
import threading
from zoneinfo import ZoneInfo

import pytest
import time_machine

from app import residents
from app.delivery import messages, outbox, outbox_health, transports
from app.infra import wake
from app.request_queue.asked import Asked
from db import connect, transaction

# Every test here runs at a frozen day hour and at a frozen night (quiet) hour.
pytestmark = pytest.mark.usefixtures("any_hour")

VN = ZoneInfo("Asia/Ho_Chi_Minh")
PHONE = "+84912345678"


def local(*args):
    return dt.datetime(*args, tzinfo=VN)


class RecordingTransport:
    """A transport that records what it sends (thread-safe) and reports it delivered."""

    name = "recording"

    def __init__(self):
        self.sent = []
        self._lock = threading.Lock()

    def send(self, message):
        with self._lock:
            self.sent.append(message.outbox_id)
        return transports.Sent("recording", f"R{message.outbox_id}", "sent")

    def find(self, message):
        return None


class FlakyTransport(RecordingTransport):
    """Fails the first FAILURES sends (transiently, or permanently), then succeeds."""

    def __init__(self, failures, permanent=False, opted_out=False, code=None):
        super().__init__()
        self.failures = failures
        self.permanent = permanent
        self.opted_out = opted_out
        self.code = code
        self.calls = 0

    def send(self, message):
        self.calls += 1
        if self.calls <= self.failures:
            raise transports.TransportError(
                "provider down", code=self.code, permanent=self.permanent, opted_out=self.opted_out
            )
        return super().send(message)


@pytest.fixture
def clock_at(app):
    """Move the frozen clock to a local moment (call again to move on)."""
    travellers = []

    def move(moment):
        if travellers:
            travellers.pop().stop()
        traveller = time_machine.travel(moment, tick=False)
        traveller.start()
        travellers.append(traveller)

    with app.app_context():
        yield move
    for traveller in travellers:
        traveller.stop()


def queue_sms(db, body="Xa Phu Lam: test", kind="confirmation", phone=PHONE, **kwargs):
    with transaction(db):
        return outbox.enqueue(db, phone, body, kind=kind, **kwargs)


def row(db, outbox_id):
    return outbox.get(db, outbox_id)


def test_enqueue_with_the_same_dedupe_key_queues_one_row(app, db):
    with app.app_context():
        first = queue_sms(db, dedupe_key="reminder:1:2")
        again = queue_sms(db, body="other", dedupe_key="reminder:1:2")
    assert again["id"] == first["id"] and db["outbox"].count == 1


def test_a_sent_message_is_recorded_in_the_sms_log_with_its_provider_id(app, db, clock_at):
    clock_at(local(2027, 3, 1, 9, 0))
    queued = queue_sms(db, request_id=None)
    assert outbox.send_due(db, transport=transports.ConsoleTransport()) == 1
    sent = row(db, queued["id"])
    assert (sent["status"], sent["provider"], sent["attempts"]) == ("sent", "console", 1)
    assert sent["sent_at"] == "2027-03-01T02:00:00Z"
    message = messages.get(db, sent["message_id"])
    assert {
        key: message[key]
        for key in ("direction", "provider", "provider_id", "phone", "body", "status", "outbox_id")
    } == {
        "direction": "out",
        "provider": "console",
        "provider_id": sent["provider_id"],
        "phone": PHONE,
        "body": "Xa Phu Lam: test",
        "status": "delivered",
        "outbox_id": queued["id"],
    }
    assert outbox.send_due(db, transport=transports.ConsoleTransport()) == 0


def test_failures_retry_after_1_5_and_15_minutes_then_succeed(app, db, clock_at):
    start = local(2027, 3, 1, 9, 0)
    clock_at(start)
    queued = queue_sms(db)
    transport = FlakyTransport(failures=3)
    waits = []
    for _ in range(3):
        assert outbox.send_due(db, transport=transport) == 0
        current = row(db, queued["id"])
        assert current["status"] == "pending" and current["last_error"] == "provider down"
        due = dt.datetime.fromisoformat(current["next_attempt_at"].replace("Z", "+00:00"))
        waits.append(due)
        clock_at(due - dt.timedelta(seconds=1))
        assert outbox.send_due(db, transport=transport) == 0  # not yet due
        clock_at(due)
    gaps = [(b - a).total_seconds() / 60 for a, b in zip([start, *waits[:-1]], waits, strict=True)]
    assert gaps == [1, 5, 15]
    assert outbox.send_due(db, transport=transport) == 1
    done = row(db, queued["id"])
    assert (done["status"], done["attempts"], done["last_error"]) == ("sent", 4, None)
    assert transport.sent == [queued["id"]]


def test_after_five_failures_the_message_is_failed_and_staff_can_retry_it(app, db, clock_at):
    moment = local(2027, 3, 1, 9, 0)
    clock_at(moment)
    queued = queue_sms(db)
    transport = FlakyTransport(failures=5)
    for _ in range(5):
        outbox.send_due(db, transport=transport)
        moment += dt.timedelta(minutes=61)
        clock_at(moment)
    failed = row(db, queued["id"])
    assert (failed["status"], failed["attempts"]) == ("failed", 5)
    assert failed["failed_at"] is not None
    assert [item["id"] for item in outbox_health.failed(db)] == [queued["id"]]
    with transaction(db):
        outbox.retry(db, queued["id"], actor="lan")
    assert row(db, queued["id"])["status"] == "pending"
    assert outbox.send_due(db, transport=transport) == 1
    assert row(db, queued["id"])["status"] == "sent"


def test_only_failed_messages_can_be_retried(app, db):
    with app.app_context():
        queued = queue_sms(db)
        with pytest.raises(outbox.OutboxError, match="only failed"):
            outbox.retry(db, queued["id"], actor="lan")


def test_a_permanent_failure_is_not_retried(app, db, clock_at):
    clock_at(local(2027, 3, 1, 9, 0))
    queued = queue_sms(db)
    outbox.send_due(db, transport=FlakyTransport(failures=1, permanent=True, code=21614))
    failed = row(db, queued["id"])
    assert (failed["status"], failed["attempts"]) == ("failed", 1)
    assert failed["last_error"] == "21614: provider down"


def test_a_provider_opt_out_cancels_the_message_and_opts_the_resident_out(app, db, clock_at):
    clock_at(local(2027, 3, 1, 9, 0))
    with transaction(db):
        residents.find_or_create(db, PHONE)
    queued = queue_sms(db)
    outbox.send_due(db, transport=FlakyTransport(failures=1, opted_out=True, code=21610))
    assert row(db, queued["id"])["status"] == "cancelled"
    assert residents.is_opted_out(db, PHONE)


def test_nothing_proactive_is_sent_to_an_opted_out_number(app, db, clock_at):
    clock_at(local(2027, 3, 1, 9, 0))
    with transaction(db):
        resident = residents.find_or_create(db, PHONE)
        residents.opt_out(db, resident["id"])
    reminder = queue_sms(db, kind="reminder")
    reply = queue_sms(db, kind="reply")
    transport = RecordingTransport()
    assert outbox.send_due(db, transport=transport) == 1
    cancelled = row(db, reminder["id"])
    assert (cancelled["status"], cancelled["last_error"]) == ("cancelled", "opted out")
    assert transport.sent == [reply["id"]]


def test_quiet_hours_hold_proactive_messages_until_seven(app, db, clock_at):
    clock_at(local(2027, 3, 1, 20, 0))
    reminder = queue_sms(db, kind="reminder")
    reply = queue_sms(db, kind="reply")
    transport = RecordingTransport()
    assert outbox.send_due(db, transport=transport) == 1
    assert transport.sent == [reply["id"]]
    clock_at(local(2027, 3, 2, 6, 59))
    assert outbox.send_due(db, transport=transport) == 0
    assert row(db, reminder["id"])["status"] == "pending"
    clock_at(local(2027, 3, 2, 7, 0))
    assert outbox.send_due(db, transport=transport) == 1
    assert transport.sent == [reply["id"], reminder["id"]]


def test_a_worker_killed_after_leasing_leaves_rows_that_are_sent_once_later(app, db, clock_at):
    clock_at(local(2027, 3, 1, 9, 0))
    ids = [queue_sms(db, body=f"m{n}")["id"] for n in range(3)]
    leased = outbox.lease(db, "dead-worker")
    assert [item["id"] for item in leased] == ids
    # The dead worker never records anything; its lease still blocks the others.
    transport = RecordingTransport()
    assert outbox.send_due(db, transport=transport) == 0
    clock_at(local(2027, 3, 1, 9, 0) + dt.timedelta(seconds=outbox.LEASE_SECONDS))
    assert outbox.send_due(db, transport=transport) == 3
    assert outbox.send_due(db, transport=transport) == 0
    assert transport.sent == ids
    assert [r["status"] for r in db["outbox"].rows] == ["sent"] * 3
    assert db["messages"].count == 3


def test_a_late_result_from_a_worker_that_lost_its_lease_is_not_recorded(app, db, clock_at):
    clock_at(local(2027, 3, 1, 9, 0))
    queued = queue_sms(db)
    (slow,) = outbox.lease(db, "slow-worker")
    clock_at(local(2027, 3, 1, 9, 5))
    assert outbox.send_due(db, transport=RecordingTransport(), owner="fast-worker") == 1
    # The slow worker comes back: its outcome is dropped, nothing is logged twice.
    assert outbox.deliver(db, slow, RecordingTransport(), "slow-worker") == "lost"
    assert db["messages"].count == 1
    assert row(db, queued["id"])["provider_id"] == f"R{queued['id']}"


def test_two_workers_racing_on_the_same_rows_send_each_row_once(app, db, any_hour):
    with app.app_context():
        with transaction(db):
            ids = [
                outbox.enqueue(db, PHONE, f"m{n}", kind="confirmation")["id"] for n in range(200)
            ]
        any_hour.morning(db)
    transport = RecordingTransport()
    start = threading.Barrier(2)
    errors = []

    def work(name):
        try:
            with app.app_context():
                own = connect(app.config["DATABASE_PATH"])
                start.wait()
                while outbox.send_due(own, limit=7, transport=transport, owner=name):
                    pass
                own.conn.close()
        except Exception as error:  # pragma: no cover - surfaced by the assert below
            errors.append(error)

    workers = [threading.Thread(target=work, args=(f"w{n}",)) for n in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert errors == []
    assert sorted(transport.sent) == ids
    assert db.execute("SELECT count(*) FROM messages").fetchone()[0] == 200
    assert {r["status"] for r in db["outbox"].rows} == {"sent"}


def test_a_reminder_for_a_visit_that_moved_is_not_sent(app, db, clock_at):
    clock_at(local(2027, 3, 1, 17, 0))
    from app import lifecycle
    from app.request_queue import service_requests

    with transaction(db):
        request, _ = service_requests.open_request(
            db, Asked(phone=PHONE, kind=lifecycle.VISIT, channel="sms", hamlet_id=1)
        )
        reminder = outbox.enqueue(
            db, PHONE, "x", kind="reminder", request_id=request["id"], trip_id=request["trip_id"]
        )
        service_requests.cancel_request(db, request["id"], actor_type="resident")
    outbox.send_due(db, transport=RecordingTransport())
    stale = row(db, reminder["id"])
    assert (stale["status"], stale["last_error"]) == ("cancelled", "visit no longer on this trip")


def test_a_row_whose_lease_is_nearly_over_is_handed_back_not_sent(app, db, clock_at):
    clock_at(local(2027, 3, 1, 9, 0))
    queued = queue_sms(db)
    (leased,) = outbox.lease(db, "slow-batch")
    clock_at(local(2027, 3, 1, 9, 1))  # 60 s of a 90 s lease gone: less than the margin left
    transport = RecordingTransport()
    assert outbox.deliver(db, leased, transport, "slow-batch") == "released"
    assert transport.sent == []
    back = row(db, queued["id"])
    assert (back["status"], back["attempts"], back["lease_owner"]) == ("pending", 0, None)
    assert outbox.send_due(db, transport=transport) == 1


def test_a_sent_message_wakes_whoever_waits_for_replies_and_a_retry_does_not(app, db, clock_at):
    clock_at(local(2027, 3, 1, 9, 0))
    listener = wake.Listener(app.config["DATABASE_PATH"], wake.REPLIES)
    try:
        queue_sms(db, request_id=None, dedupe_key="reply:1:0")
        assert outbox.send_due(db, transport=FlakyTransport(failures=1)) == 0
        assert listener.wait(0.01) is False  # back to pending: nothing settled yet
        clock_at(local(2027, 3, 1, 9, 2))
        assert outbox.send_due(db, transport=transports.ConsoleTransport()) == 1
        assert listener.wait(5) is True
    finally:
        listener.close()
