"""Sending through Twilio once: the real client against a fake that behaves like Twilio.

Twilio's REST API is not idempotent, so after an ambiguous attempt (a 500, a hang past the
client's timeout, a reset connection, a worker that died) the outbox looks the message up in
the Messages list before it sends again.
"""

import datetime as dt

import pytest
import time_machine
from flask import current_app

from app.delivery import attempts as attempt_log
from app.delivery import messages, outbox, outbox_health, transports
from app.infra.config import LOCAL_ACCOUNT_SID
from app.request_queue.asked import Asked
from db import transaction
from tests.conftest import DAY_HOUR, PUBLIC_BASE_URL, TEST_AUTH_TOKEN, send_due
from tests.fakes.twilio_api import FakeTwilioAPI

PHONE = "+84912345678"
FROM = "+84280000001"


@pytest.fixture
def clock():
    """A frozen day hour that moves only when told (clock.advance(minutes=...))."""
    with time_machine.travel(DAY_HOUR, tick=False) as traveller:

        class Clock:
            def advance(self, **delta):
                traveller.shift(dt.timedelta(**delta))

        yield Clock()


@pytest.fixture
def fake(app, clock):
    with FakeTwilioAPI(LOCAL_ACCOUNT_SID, TEST_AUTH_TOKEN, hang_seconds=1.5) as api:
        app.config.update(
            SMS_TRANSPORT="twilio",
            TWILIO_API_BASE_URL=api.base_url,
            TWILIO_ACCOUNT_SID=LOCAL_ACCOUNT_SID,
            TWILIO_FROM_NUMBER=FROM,
            # The fake hangs for 1.5 s; a 0.5 s client timeout keeps these tests quick.
            TWILIO_REST_TIMEOUT=0.5,
        )
        with app.app_context():
            yield api


def queue(db, body="Xa Phu Lam: mot lan thoi", phone=PHONE, kind="answer"):
    with transaction(db):
        return outbox.enqueue(db, phone, body, kind=kind)


def attempts(db, row):
    return [
        (a["action"], a["outcome"])
        for a in attempt_log.for_outbox(db, [row["id"]]).get(row["id"], [])
    ]


def test_a_message_goes_out_through_the_real_client_with_a_status_callback(db, fake):
    queued = queue(db)
    assert send_due(db) == 1
    (sent,) = fake.messages
    assert (sent["to"], sent["from"], sent["body"]) == (PHONE, FROM, "Xa Phu Lam: mot lan thoi")
    assert sent["status_callback"] == PUBLIC_BASE_URL + "/sms/twilio/status"
    row = outbox.get(db, queued["id"])
    assert (row["status"], row["provider"], row["provider_id"]) == ("sent", "twilio", sent["sid"])
    assert messages.get(db, row["message_id"])["status"] == "queued"
    assert attempts(db, row) == [("send", "accepted")]


@pytest.mark.parametrize("failure", ["500", "hang", "reset"])
def test_a_message_twilio_accepted_before_failing_is_found_and_not_sent_again(
    db, fake, clock, failure
):
    queued = queue(db)
    fake.accept_then_fail_next(1, failure)
    assert send_due(db) == 0
    waiting = outbox.get(db, queued["id"])
    assert (waiting["status"], waiting["lookup_needed"]) == ("pending", 1)
    clock.advance(minutes=1)
    assert send_due(db) == 1
    (created,) = fake.messages
    assert len(fake.message_creates()) == 1
    row = outbox.get(db, queued["id"])
    assert (row["status"], row["provider_id"], row["lookup_needed"]) == ("sent", created["sid"], 0)
    assert messages.get(db, row["message_id"])["status"] == "sent"
    assert attempts(db, row) == [("send", "ambiguous"), ("lookup", "found")]


def test_a_500_that_created_nothing_is_sent_again_after_a_lookup_finds_nothing(db, fake, clock):
    queued = queue(db)
    fake.fail_next(1, status=500)
    assert send_due(db) == 0
    clock.advance(minutes=1)
    assert send_due(db) == 1
    assert len(fake.messages) == 1 and len(fake.message_creates()) == 2
    row = outbox.get(db, queued["id"])
    assert row["provider_id"] == fake.messages[0]["sid"]
    assert attempts(db, row) == [
        ("send", "ambiguous"),
        ("lookup", "not_found"),
        ("send", "accepted"),
    ]


def test_a_rate_limited_send_is_retried_without_a_lookup(db, fake, clock):
    queued = queue(db)
    fake.fail_next(1, status=429)
    assert send_due(db) == 0
    assert outbox.get(db, queued["id"])["lookup_needed"] == 0
    clock.advance(minutes=1)
    assert send_due(db) == 1
    assert attempts(db, outbox.get(db, queued["id"])) == [("send", "error"), ("send", "accepted")]


def test_a_client_error_fails_at_once_and_is_shown_to_staff(db, fake):
    queued = queue(db)
    fake.fail_next(1, status=400)
    assert send_due(db) == 0
    row = outbox.get(db, queued["id"])
    assert row["status"] == "failed" and fake.messages == []
    assert [r["id"] for r in outbox_health.failed(db)] == [queued["id"]]


def test_when_the_lookup_itself_fails_nothing_is_sent_and_the_next_attempt_looks_again(
    db, fake, clock
):
    queued = queue(db)
    fake.accept_then_fail_next(1, "500")
    send_due(db)
    clock.advance(minutes=1)
    fake.fail_lists_next(1)
    assert send_due(db) == 0
    row = outbox.get(db, queued["id"])
    assert (row["status"], row["lookup_needed"]) == ("pending", 1)
    clock.advance(minutes=5)
    assert send_due(db) == 1
    assert len(fake.messages) == 1 and len(fake.message_creates()) == 1
    assert attempts(db, outbox.get(db, queued["id"])) == [
        ("send", "ambiguous"),
        ("lookup", "ambiguous"),
        ("lookup", "found"),
    ]


def test_a_worker_that_died_after_sending_leaves_a_row_that_is_found_not_resent(db, fake, clock):
    queued = queue(db)
    (leased,) = outbox.lease(db, "crashing-worker")
    # The worker sends, then dies before it can record the result.

    transports.from_config(current_app.config).send(outbox.outgoing(db, leased))
    clock.advance(minutes=5)
    assert send_due(db) == 1
    assert len(fake.messages) == 1
    row = outbox.get(db, queued["id"])
    assert row["provider_id"] == fake.messages[0]["sid"]
    assert attempts(db, row) == [("lookup", "found")]


def test_a_lookup_never_claims_the_same_text_sent_earlier_by_another_row(db, fake, clock):
    first = queue(db, body="Xa Phu Lam: giong nhau")
    assert send_due(db) == 1
    second = queue(db, body="Xa Phu Lam: giong nhau")
    fake.fail_next(1, status=503)  # refused: nothing created for the second row
    assert send_due(db) == 0
    clock.advance(minutes=1)
    assert send_due(db) == 1
    sids = {outbox.get(db, first["id"])["provider_id"], outbox.get(db, second["id"])["provider_id"]}
    assert sids == {m["sid"] for m in fake.messages} and len(sids) == 2


def test_a_message_twilio_lists_only_after_the_retry_is_sent_twice(db, fake, clock):
    """The window that remains: a message Twilio has created but does not list yet."""
    fake.list_delay = 120  # longer than the 1-minute backoff before the lookup
    queue(db)
    fake.accept_then_fail_next(1, "500")
    send_due(db)
    clock.advance(minutes=1)
    assert send_due(db) == 1
    assert len(fake.messages) == 2


def test_staff_see_every_attempt_on_the_request_and_messages_pages(app, db, fake, clock):
    from app import lifecycle
    from app.request_queue import service_requests
    from tests.conftest import signed_in_client

    with transaction(db):
        request, _ = service_requests.open_request(
            db, Asked(phone=PHONE, kind=lifecycle.QUESTION, channel="staff")
        )
        confirmation = outbox.enqueue(
            db, PHONE, "Xa Phu Lam: tra loi", kind="answer", request_id=request["id"]
        )
    fake.accept_then_fail_next(1, "500")
    send_due(db)
    staff = signed_in_client(app, "lan", "staff")
    staff.post("/language", data={"lang": "en"})
    waiting = staff.get(f"/requests/{request['id']}").get_data(as_text=True)
    assert "No clear answer from the provider; checked before any resend" in waiting
    clock.advance(minutes=1)
    send_due(db)
    assert outbox.get(db, confirmation["id"])["status"] == "sent"
    for page in (f"/requests/{request['id']}", "/messages"):
        text = staff.get(page).get_data(as_text=True)
        assert "2 attempts" in text
        assert "Found at the provider, so not sent again" in text
