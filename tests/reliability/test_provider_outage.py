"""Provider outage: Twilio fails with 500, 503, 429 and hangs for a while; nothing lost or doubled.

Two real `flask worker` processes send through the real twilio client to a local fake of the
REST API. The first attempts fail; the 1-minute backoff then resends them, so this takes
about 90 seconds.
"""

import collections
import time

import pytest

from app import outbox
from bench import loadgen
from bench.harness import ACCOUNT_SID, AUTH_TOKEN, Service
from db import connect, transaction
from tests.fakes.twilio_api import FakeTwilioAPI
from tests.reliability.support import rows, scalar

MESSAGES = 40
FAILURES = [(15, 500, 0.0), (5, 503, 1.0), (3, 429, 0.0), (2, 500, 12.0)]  # 12 s > client timeout
LOST_REPLIES = 4  # Twilio creates the message but the answer never reaches the worker
SETTLE_SECONDS = 180


def enqueue_answers(db_path, count):
    """Queue COUNT staff answers, each with a distinct body, the way the domain does."""
    bodies = [
        f"Xa Phu Lam: Tra loi cau hoi so {n}. Can bo khong bao gio hoi ma OTP."
        for n in range(count)
    ]
    db = connect(db_path)
    try:
        with transaction(db):
            # Quiet hours off, so the test means the same at any hour of the day.
            db["settings"].upsert({"key": "quiet_start", "value": "00:00"}, pk="key")
            db["settings"].upsert({"key": "quiet_end", "value": "00:00"}, pk="key")
            for n, body in enumerate(bodies):
                outbox.enqueue(db, loadgen.mobile_number(7_000_000 + n), body, kind="answer")
    finally:
        db.conn.close()
    return bodies


@pytest.mark.slow
def test_an_outage_at_twilio_loses_no_message_and_sends_none_twice(tmp_path):
    with FakeTwilioAPI(ACCOUNT_SID, AUTH_TOKEN) as fake:
        service = Service(
            tmp_path / "outage", SMS_TRANSPORT="twilio", TWILIO_API_BASE_URL=fake.base_url
        )
        bodies = enqueue_answers(service.db_path, MESSAGES)
        for count, status, delay in FAILURES:
            fake.fail_next(count, status=status, delay=delay)
        fake.lose_reply_next(LOST_REPLIES)
        service.start()
        try:
            service.start_outbox_workers(2)
            deadline = time.monotonic() + SETTLE_SECONDS
            while time.monotonic() < deadline:
                if (
                    scalar(service.db_path, "SELECT count(*) FROM outbox WHERE status != 'sent'")
                    == 0
                ):
                    break
                time.sleep(1)
            # Let the workers run a few more passes after recovery: nothing may go out again.
            time.sleep(5)
            sent_to_fake = list(fake.messages)
        finally:
            service.stop()

    statuses = rows(service.db_path, "SELECT status, count(*) FROM outbox GROUP BY status")
    assert statuses == [("sent", MESSAGES)]
    assert collections.Counter(m["body"] for m in sent_to_fake) == collections.Counter(bodies)
    recorded = rows(service.db_path, "SELECT provider_id FROM outbox ORDER BY id")
    assert sorted(sid for (sid,) in recorded) == sorted(m["sid"] for m in sent_to_fake)
    injected = sum(count for count, _, _ in FAILURES)
    retried = scalar(service.db_path, "SELECT count(*) FROM outbox WHERE attempts > 1")
    # Two hung calls may be the same row's two attempts.
    assert retried >= injected + LOST_REPLIES - 2
    posts = [r for r in fake.requests if r[0] == "POST" and r[1].endswith("/Messages.json")]
    # Each lost reply costs one more POST, which the idempotency token turns into no message.
    assert len(posts) == MESSAGES + injected + LOST_REPLIES
    assert "database is locked" not in service.log_text()
