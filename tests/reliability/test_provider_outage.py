"""Provider trouble: Twilio accepts messages and then answers 500 or hangs; none is doubled.

Two real `flask worker` processes send 40 messages through the real twilio client to a local
fake of the REST API. The fake creates every message it is asked for, but answers every 3rd
create with a 500 and lets every 5th hang past the client's 10 s timeout, as Twilio can
(error 20500: after a retried 500, "it is possible for a customer to receive multiple
messages"). After the 1-minute backoff each of
those rows looks itself up in the Messages list, finds its message and sends nothing. About
three minutes.
"""

import collections
import time

import pytest

from app import communes
from app.delivery import outbox
from bench import loadgen
from bench.harness import ACCOUNT_SID, AUTH_TOKEN, Service
from db import connect, transaction
from tests.fakes.twilio_api import FakeTwilioAPI
from tests.reliability.support import rows, scalar

MESSAGES = 40
SETTLE_SECONDS = 300


def enqueue_answers(db_path, count):
    """Queue COUNT staff answers, each with a distinct body, the way the domain does."""
    bodies = [
        f"Xa Phu Lam: Tra loi cau hoi so {n}. Can bo khong bao gio hoi ma OTP."
        for n in range(count)
    ]
    db = connect(db_path)
    try:
        with transaction(db), communes.bound(communes.first_commune(db)):
            # Quiet hours off, so the test means the same at any hour of the day.
            db["settings"].upsert(
                {"commune_id": 1, "key": "quiet_start", "value": "00:00"}, pk=("commune_id", "key")
            )
            db["settings"].upsert(
                {"commune_id": 1, "key": "quiet_end", "value": "00:00"}, pk=("commune_id", "key")
            )
            for n, body in enumerate(bodies):
                outbox.enqueue(db, loadgen.mobile_number(7_000_000 + n), body, kind="answer")
    finally:
        db.conn.close()
    return bodies


def expected_ambiguous(creates):
    """How many of the first CREATES creates the fake answers badly (every 3rd or 5th)."""
    return sum(1 for n in range(1, creates + 1) if n % 3 == 0 or n % 5 == 0)


@pytest.mark.slow
def test_twilio_accepting_then_failing_delivers_every_message_once(tmp_path):
    with FakeTwilioAPI(ACCOUNT_SID, AUTH_TOKEN) as fake:
        fake.accept_then_fail_every(5, "hang")  # checked first: the 15th and 30th hang
        fake.accept_then_fail_every(3, "500")
        service = Service(
            tmp_path / "outage", SMS_TRANSPORT="twilio", TWILIO_API_BASE_URL=fake.base_url
        )
        bodies = enqueue_answers(service.db_path, MESSAGES)
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
            created = list(fake.messages)
            creates = len(fake.message_creates())
        finally:
            service.stop()

    statuses = rows(service.db_path, "SELECT status, count(*) FROM outbox GROUP BY status")
    assert statuses == [("sent", MESSAGES)]
    # 40 delivered, 0 doubled: Twilio holds each body exactly once.
    assert collections.Counter(m["body"] for m in created) == collections.Counter(bodies)
    assert creates == MESSAGES
    recorded = rows(service.db_path, "SELECT provider_id FROM outbox ORDER BY id")
    assert sorted(sid for (sid,) in recorded) == sorted(m["sid"] for m in created)
    outcomes = dict(
        rows(
            service.db_path,
            "SELECT action || ':' || outcome, count(*) FROM outbox_attempts GROUP BY 1",
        )
    )
    ambiguous = expected_ambiguous(MESSAGES)
    assert outcomes.get("send:ambiguous") == ambiguous == 19
    assert outcomes.get("lookup:found") == ambiguous
    # The remaining window (a message Twilio had not listed yet) would show up here.
    assert outcomes.get("lookup:not_found", 0) == 0
    print(f"\n40-message Twilio outage: attempts {sorted(outcomes.items())}")
    assert "database is locked" not in service.log_text()
