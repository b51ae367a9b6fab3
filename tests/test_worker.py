"""The worker: scheduled reminders and trip generation, and the real Twilio and gateway clients."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from app import lifecycle, trips
from app.delivery import outbox, transports
from app.ops import scheduler, worker
from app.request_queue import service_requests
from app.request_queue.asked import Asked
from db import transaction

# Every test here runs at a frozen day hour and at a frozen night (quiet) hour.
pytestmark = pytest.mark.usefixtures("any_hour")

VN = ZoneInfo("Asia/Ho_Chi_Minh")
PHONE = "+84912345678"


def local(*args):
    return dt.datetime(*args, tzinfo=VN)


@pytest.fixture
def clock_at(app, db):
    """Move the frozen clock to a local moment; the first move regenerates the schedule."""
    travellers = []

    def move(moment):
        first = not travellers
        if travellers:
            travellers.pop().stop()
        traveller = time_machine.travel(moment, tick=False)
        traveller.start()
        travellers.append(traveller)
        if first:
            with transaction(db):
                db.execute("DELETE FROM trip_hamlets")
                db.execute("DELETE FROM trips")
                trips.ensure_trips(db)

    with app.app_context():
        yield move
    for traveller in travellers:
        traveller.stop()


def book_visit(db, phone=PHONE, hamlet_id=1):
    with transaction(db):
        request, _ = service_requests.open_request(
            db, Asked(phone=phone, kind=lifecycle.VISIT, channel="sms", hamlet_id=hamlet_id)
        )
    return request


def test_the_reminder_goes_out_once_across_two_worker_runs(app, db, clock_at):
    clock_at(local(2027, 3, 1, 10, 0))  # Monday; the Tuesday trip is tomorrow
    request = book_visit(db)
    console = transports.ConsoleTransport()
    worker.run_pass(db, transport=console)
    assert db["outbox"].count_where("kind = 'reminder'") == 0  # not before 17:00
    clock_at(local(2027, 3, 1, 17, 0))
    first = worker.run_pass(db, transport=console)
    clock_at(local(2027, 3, 1, 17, 2))
    second = worker.run_pass(db, transport=console)
    assert (first["jobs"]["reminders"], second["jobs"]["reminders"]) == (1, 0)
    (reminder,) = db["outbox"].rows_where("kind = 'reminder'")
    assert reminder["dedupe_key"] == f"reminder:{request['id']}:{request['trip_id']}"
    assert reminder["status"] == "sent"
    assert reminder["body"] == (
        f"Xa Phu Lam: Nhac lich: to luu dong den ap Phu Hoa A vao Thu 3 02/03, tu 7h30 "
        f"(ma {request['ref']}). Xin ong ba o nha, de san giay to."
    )
    assert db["messages"].count_where("intent = 'reminder'") == 1


def test_the_reminder_time_is_a_setting(app, db, clock_at):
    clock_at(local(2027, 3, 1, 10, 0))
    book_visit(db)
    with transaction(db):
        db["settings"].upsert(
            {"commune_id": 1, "key": "reminder_time", "value": "15:30"}, pk=("commune_id", "key")
        )
    clock_at(local(2027, 3, 1, 15, 29))
    assert scheduler.queue_reminders(db) == 0
    clock_at(local(2027, 3, 1, 15, 30))
    assert scheduler.queue_reminders(db) == 1


def test_a_worker_that_was_down_at_reminder_time_catches_up_before_the_trip(app, db, clock_at):
    clock_at(local(2027, 3, 1, 10, 0))
    book_visit(db)
    clock_at(local(2027, 3, 2, 6, 0))  # quiet hours: queued now, sent at 07:00
    assert scheduler.queue_reminders(db) == 1
    assert outbox.send_due(db, transport=transports.ConsoleTransport()) == 0
    clock_at(local(2027, 3, 2, 7, 0))
    assert outbox.send_due(db, transport=transports.ConsoleTransport()) == 1


def test_trip_generation_runs_once_a_day_and_books_waiting_requests(app, db, clock_at):
    clock_at(local(2027, 3, 1, 10, 0))
    assert scheduler.generate_trips(db) is not None
    assert scheduler.generate_trips(db) is None
    (job,) = db["jobs"].rows_where("name = 'trips'")
    assert job["last_run_at"] == "2027-03-01T03:00:00Z"
    clock_at(local(2027, 3, 2, 0, 5))
    assert scheduler.generate_trips(db) is not None


def test_the_worker_command_makes_one_pass(app, db, runner):
    with app.app_context():
        with transaction(db):
            outbox.enqueue(db, PHONE, "Xa Phu Lam: hello", kind="reply")
    result = runner.invoke(args=["worker", "--once"])
    assert result.exit_code == 0, result.output
    (row,) = db["outbox"].rows
    assert (row["status"], row["provider"]) == ("sent", "console")


@pytest.mark.parametrize(
    "code, status, expected",
    [
        (21610, 400, (False, True, False)),
        (21614, 400, (True, False, False)),
        (20429, 429, (False, False, False)),
        (20003, 401, (False, False, False)),
        (20500, 500, (False, False, True)),
        (20503, 503, (False, False, True)),
        (21604, 400, (True, False, False)),
    ],
)
def test_twilio_error_codes_map_to_opt_out_permanent_retry_or_look_first(code, status, expected):
    from twilio.base.exceptions import TwilioRestException

    error = transports.classify_twilio_error(
        TwilioRestException(status, "https://api.twilio.com/x", msg="no", code=code)
    )
    assert (error.permanent, error.opted_out, error.ambiguous) == expected


def test_an_unknown_transport_name_is_refused_clearly(app):
    with pytest.raises(ValueError, match="SMS_TRANSPORT must be one of"):
        transports.from_config({"SMS_TRANSPORT": "pigeon"})
