"""A worker sends several messages at once: each once, each phone's in order, leases kept."""

import threading

import pytest
import time_machine

from app.delivery import outbox, sender
from app.infra.config import LOCAL_ACCOUNT_SID
from db import transaction
from tests.conftest import DAY_HOUR, TEST_AUTH_TOKEN
from tests.fakes.twilio_api import FakeTwilioAPI

FROM = "+84280000001"
PHONES = [f"+8491200{n:04d}" for n in range(12)]


@pytest.fixture
def fake(app):
    """The Twilio fake answering each create after 50 ms, a round trip to the provider."""
    with (
        time_machine.travel(DAY_HOUR, tick=False),
        FakeTwilioAPI(LOCAL_ACCOUNT_SID, TEST_AUTH_TOKEN, answer_delay=0.05) as api,
    ):
        app.config.update(
            SMS_TRANSPORT="twilio",
            TWILIO_API_BASE_URL=api.base_url,
            TWILIO_ACCOUNT_SID=LOCAL_ACCOUNT_SID,
            TWILIO_FROM_NUMBER=FROM,
        )
        with app.app_context():
            yield api


@pytest.fixture
def senders(app, fake):
    pool = sender.Senders(app, threads=4)
    yield pool
    pool.close()


def queue(db, per_phone=3, kind="reply"):
    """PER_PHONE numbered messages to each phone, queued phone after phone, turn after turn."""
    with transaction(db):
        for turn in range(per_phone):
            for phone in PHONES:
                outbox.enqueue(db, phone, f"Xa Phu Lam: tin {turn}", kind=kind)


def send_all(db, senders, owner="worker-a"):
    total = 0
    while sent := senders.send_due(db, 50, owner):
        total += sent
    return total


def test_a_batch_is_sent_several_at_once_each_once_and_in_order_per_phone(db, fake, senders):
    queue(db)
    assert send_all(db, senders) == 3 * len(PHONES)
    assert fake.most_in_flight > 1  # one after another would never hold two at once
    assert sorted(m["to"] for m in fake.messages) == sorted(PHONES * 3)
    for phone in PHONES:
        bodies = [m["body"] for m in fake.messages if m["to"] == phone]
        assert bodies == [f"Xa Phu Lam: tin {turn}" for turn in range(3)]
    statuses = {row["status"] for row in db["outbox"].rows}
    assert statuses == {"sent"}
    attempts = [(a["outbox_id"], a["action"]) for a in db["outbox_attempts"].rows]
    assert sorted(attempts) == sorted((row["id"], "send") for row in db["outbox"].rows)
    assert db["messages"].count_where("direction = 'out'") == 3 * len(PHONES)


def test_two_workers_with_their_own_pools_never_send_a_message_twice(app, db, fake, senders):
    queue(db, per_phone=5)
    other = sender.Senders(app, threads=4)
    counts = {}

    def run(pool, owner):
        from db import connect

        with app.app_context():
            own = connect(app.config["DATABASE_PATH"])
            counts[owner] = send_all(own, pool, owner)
            own.conn.close()

    workers = [
        threading.Thread(target=run, args=(pool, name))
        for pool, name in ((senders, "worker-a"), (other, "worker-b"))
    ]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()
    other.close()
    assert sum(counts.values()) == 5 * len(PHONES)
    assert len(fake.messages) == 5 * len(PHONES)
    assert len({(m["to"], m["body"]) for m in fake.messages}) == 5 * len(PHONES)


def test_quiet_hours_hold_proactive_messages_and_let_replies_out(db, fake, senders):
    with time_machine.travel("2026-12-07 22:30:00+07:00", tick=False):
        queue(db, per_phone=1, kind="reminder")
        queue(db, per_phone=1, kind="reply")
        assert send_all(db, senders) == len(PHONES)
    assert {row["kind"] for row in db["outbox"].rows_where("status = 'sent'")} == {"reply"}
    assert {row["status"] for row in db["outbox"].rows_where("kind = 'reminder'")} == {"pending"}


def test_a_failed_send_is_retried_later_and_the_rest_of_the_batch_goes(db, fake, senders):
    queue(db, per_phone=1)
    fake.fail_next(2, status=429)
    assert send_all(db, senders) == len(PHONES) - 2
    failed = list(db["outbox"].rows_where("status = 'pending'"))
    assert len(failed) == 2 and all(row["attempts"] == 1 for row in failed)
    assert len(fake.messages) == len(PHONES) - 2
