"""The worker never dies, and someone notices if it stops: backoff, heartbeat, /healthz."""

import datetime as dt
import logging
import threading
import time

import pytest
import time_machine

from app.delivery import outbox, outbox_health
from app.infra import clock, wake
from app.ops import worker
from db import transaction

PHONE = "+84912345678"


def wait_until(condition, seconds=15.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


@pytest.fixture
def fast_worker(monkeypatch):
    """Poll and back off in tenths of seconds instead of seconds."""
    monkeypatch.setattr(worker, "POLL_SECONDS", 0.05)
    monkeypatch.setattr(worker, "MAX_BACKOFF_SECONDS", 0.2)


def test_a_database_error_in_a_pass_is_logged_and_the_worker_goes_on(app, db, fast_worker, caplog):
    with transaction(db):
        row = outbox.enqueue(db, PHONE, "Xa Phu Lam: hello", kind="reply")
        # The outbox vanishes: every pass now fails inside outbox.send_due.
        db.execute("ALTER TABLE outbox RENAME TO outbox_away")
    stopping = threading.Event()
    loop = threading.Thread(target=worker.run, args=(app,), kwargs={"stopping": stopping})
    # The send wakes whoever waits for replies, as it wakes the simulator.
    sent = wake.Listener(app.config["DATABASE_PATH"], wake.REPLIES)
    with caplog.at_level(logging.ERROR, logger="app.ops.worker"):
        loop.start()
        try:
            assert wait_until(lambda: len(failed_passes(caplog)) >= 3)
            assert loop.is_alive()
            with transaction(db):
                db.execute("ALTER TABLE outbox_away RENAME TO outbox")
            assert sent.wait(15) is True
            assert outbox.get(db, row["id"])["status"] == "sent"
        finally:
            sent.close()
            stopping.set()
            loop.join(timeout=10)
    assert not loop.is_alive()
    assert "no such table: outbox" in caplog.text
    assert (
        db.execute("SELECT count(*) FROM messages WHERE outbox_id = ?", [row["id"]]).fetchone()[0]
        == 1
    )


def failed_passes(caplog):
    return [r for r in caplog.records if r.getMessage().startswith("worker pass failed")]


@pytest.mark.parametrize(("failures", "wait"), [(1, 2), (2, 4), (3, 8), (5, 32), (6, 60), (40, 60)])
def test_failed_passes_back_off_doubling_up_to_a_minute(failures, wait):
    assert worker.backoff_seconds(failures) == wait


def test_a_good_pass_writes_the_heartbeat_that_healthz_reports(app, db, client):
    assert client.get("/healthz").get_json()["status"] == "degraded"
    worker.run(app, once=True)
    report = client.get("/healthz").get_json()
    assert report["status"] == "ok"
    assert report["worker"]["problems"] == []
    assert 0 <= report["worker"]["heartbeat_age_seconds"] < 5
    assert clock.parse(report["worker"]["heartbeat"]) <= clock.now()


def test_healthz_is_degraded_but_200_when_the_heartbeat_is_over_two_minutes_old(app, db, client):
    with time_machine.travel(dt.datetime(2027, 3, 1, 3, 0, tzinfo=dt.UTC), tick=False):
        worker.run(app, once=True)
    with time_machine.travel(dt.datetime(2027, 3, 1, 3, 1, 59, tzinfo=dt.UTC), tick=False):
        assert client.get("/healthz").get_json()["status"] == "ok"
    with time_machine.travel(dt.datetime(2027, 3, 1, 3, 2, 1, tzinfo=dt.UTC), tick=False):
        response = client.get("/healthz")
    assert response.status_code == 200
    report = response.get_json()
    assert report["status"] == "degraded"
    assert report["worker"]["heartbeat_age_seconds"] == 121
    assert report["worker"]["problems"] == ["the worker's last heartbeat is 121 s old"]


def test_healthz_is_degraded_when_the_oldest_due_message_has_waited_over_ten_minutes(
    app, db, client
):
    start = dt.datetime(2027, 3, 1, 3, 0, tzinfo=dt.UTC)  # 10:00 in the commune
    with time_machine.travel(start, tick=False):
        with transaction(db):
            outbox.enqueue(db, PHONE, "Xa Phu Lam: hello", kind="confirmation")
        worker.beat(db, "test-worker")
    with time_machine.travel(start + dt.timedelta(minutes=10), tick=False):
        worker.beat(db, "test-worker")
        assert client.get("/healthz").get_json()["status"] == "ok"
    with time_machine.travel(start + dt.timedelta(minutes=10, seconds=30), tick=False):
        worker.beat(db, "test-worker")
        report = client.get("/healthz").get_json()
    assert report["status"] == "degraded"
    assert report["outbox_backlog"] == 1
    assert report["worker"]["oldest_due_seconds"] == 630
    assert report["worker"]["problems"] == ["the oldest due message has waited 630 s"]


def test_a_message_held_by_quiet_hours_starts_waiting_when_they_end(app, db):
    evening = dt.datetime(2027, 3, 1, 13, 30, tzinfo=dt.UTC)  # 20:30 local, quiet
    with time_machine.travel(evening, tick=False):
        with transaction(db):
            outbox.enqueue(db, PHONE, "Xa Phu Lam: hello", kind="confirmation")
        assert outbox_health.oldest_due_wait(db) is None
    seven_oh_five = dt.datetime(2027, 3, 2, 0, 5, tzinfo=dt.UTC)  # 07:05 local
    with time_machine.travel(seven_oh_five, tick=False):
        assert outbox_health.oldest_due_wait(db) == 300


def test_a_reply_is_due_even_in_quiet_hours_and_a_message_in_backoff_is_not(app, db):
    night = dt.datetime(2027, 3, 1, 20, 0, tzinfo=dt.UTC)  # 03:00 local
    with time_machine.travel(night, tick=False):
        with transaction(db):
            outbox.enqueue(
                db,
                PHONE,
                "Xa Phu Lam: later",
                kind="reply",
                not_before=night + dt.timedelta(minutes=5),
            )
        assert outbox_health.oldest_due_wait(db) is None
        with transaction(db):
            outbox.enqueue(db, PHONE, "Xa Phu Lam: now", kind="reply")
    with time_machine.travel(night + dt.timedelta(minutes=2), tick=False):
        assert outbox_health.oldest_due_wait(db) == 120
