"""The Android gateway webhook: HMAC signatures, replay protection, payloads and the outbox."""

import hashlib
import hmac
import json
import time

import pytest

from app.delivery import messages

SIGNING_KEY = "gateway-signing-key-for-tests"
PHONE = "+84912000111"
# The first commune's default gateway device: channel 1 (migration 0018).
DEFAULT_DEVICE = 1


@pytest.fixture
def app(app):
    app.config["SMS_GATEWAY_SIGNING_KEY"] = SIGNING_KEY
    return app


def _sign(body, timestamp, key=SIGNING_KEY):
    return hmac.new(key.encode(), body + str(timestamp).encode(), hashlib.sha256).hexdigest()


def _post(client, event, *, timestamp=None, key=SIGNING_KEY, signature=None, raw=None):
    body = raw if raw is not None else json.dumps(event).encode()
    timestamp = str(int(time.time()) if timestamp is None else timestamp)
    headers = {
        "Content-Type": "application/json",
        "X-Timestamp": timestamp,
        "X-Signature": signature if signature is not None else _sign(body, timestamp, key),
    }
    response = client.post("/sms/gateway", data=body, headers=headers)
    _answer(client.application)
    return response


def _answer(app):
    """Answer what the webhook stored, in process, as the worker does."""
    from app.ops import worker
    from db import connect

    with app.app_context():
        database = connect(app.config["DATABASE_PATH"])
        try:
            worker.answer_all(database)
        finally:
            database.conn.close()


def _received(text="HEN Tan Phu", message_id="abc123", phone=PHONE, at="2026-12-01T08:15:00+07:00"):
    return {
        "deviceId": "dev1",
        "event": "sms:received",
        "id": f"evt-{message_id}-{at}",
        "webhookId": "hl-received",
        "payload": {
            "messageId": message_id,
            "message": text,
            "phoneNumber": phone,
            "sender": phone,
            "simNumber": 1,
            "receivedAt": at,
        },
    }


def _counts(db):
    return {table: db[table].count for table in ("messages", "requests", "outbox", "residents")}


def test_signed_sms_opens_the_request_and_queues_the_reply_in_the_outbox(client, db):
    response = _post(client, _received())
    assert response.status_code == 200 and response.get_json()["stored"] == 1
    [request] = db["requests"].rows
    [row] = db["outbox"].rows
    assert (row["kind"], row["phone"], row["request_id"]) == ("reply", PHONE, request["id"])
    assert request["ref"] in row["body"] and row["body"].startswith("Xa Phu Lam: ")
    [inbound] = db["messages"].rows_where("direction = 'in'")
    assert (inbound["provider"], inbound["provider_id"], inbound["intent"]) == (
        "gateway",
        "abc123",
        "visit",
    )


def test_guidance_over_the_gateway_queues_two_replies(client, db):
    _post(client, _received("khai sinh"))
    bodies = [row["body"] for row in db["outbox"].rows_where(order_by="id")]
    assert len(bodies) == 2 and "Mang theo" in bodies[1]


def test_redelivered_webhook_creates_nothing_new(client, db):
    _post(client, _received())
    before = _counts(db)
    again = _post(client, _received())
    assert again.status_code == 200 and again.get_json()["stored"] == 0
    assert _counts(db) == before


def test_same_content_id_at_another_time_is_a_new_message(client, db):
    # The gateway derives messageId from content, so two identical texts share it.
    _post(client, _received("XEM", at="2026-12-01T08:15:00+07:00"))
    _post(client, _received("XEM", at="2026-12-01T09:40:00+07:00"))
    assert db["messages"].count_where("direction = 'in'") == 2


@pytest.mark.parametrize(
    "tamper",
    ["missing", "forged", "wrong_key", "stale", "future", "bad_timestamp", "body_changed"],
)
def test_bad_signatures_get_403_and_create_nothing(client, db, tamper):
    event = _received()
    body = json.dumps(event).encode()
    now = int(time.time())
    kwargs = {}
    if tamper == "missing":
        kwargs["signature"] = ""
    elif tamper == "forged":
        kwargs["signature"] = "0" * 64
    elif tamper == "wrong_key":
        kwargs["key"] = "someone-else"
    elif tamper == "stale":
        kwargs["timestamp"] = now - 360  # a minute past the window: a slow run keeps it out
    elif tamper == "future":
        kwargs["timestamp"] = now + 360
    elif tamper == "bad_timestamp":
        kwargs["timestamp"] = "yesterday"
        kwargs["signature"] = _sign(body, "yesterday")
    elif tamper == "body_changed":
        kwargs["signature"] = _sign(body, now)
        kwargs["timestamp"] = now
        kwargs["raw"] = body.replace(b"HEN", b"HUY")
    response = _post(client, event, **kwargs)
    assert response.status_code == 403
    assert _counts(db) == {"messages": 0, "requests": 0, "outbox": 0, "residents": 0}


def test_a_captured_request_replayed_later_gets_403(client, db):
    event = _received()
    body = json.dumps(event).encode()
    captured_at = int(time.time()) - 600
    response = _post(client, event, timestamp=captured_at, signature=_sign(body, captured_at))
    assert response.status_code == 403
    assert db["messages"].count == 0


def test_without_a_configured_key_every_webhook_is_refused(app, client, db):
    app.config["SMS_GATEWAY_SIGNING_KEY"] = ""
    assert _post(client, _received(), key="").status_code == 403
    assert db["messages"].count == 0


@pytest.mark.parametrize(
    "raw",
    [
        b"not json",
        b"[]",
        b'{"payload": {}}',
        b'{"event": "sms:received", "payload": []}',
        b'{"event": "sms:received", "payload": {"message": "HEN"}}',
        b'{"event": "sms:received", "payload": {"messageId": "1", "sender": "+84912000111"}}',
        b'{"event": "sms:received", "payload": {"phoneNumber": "+84912000111", "message": " "}}',
        b'{"event": "sms:received", "payload": {"sender": ["x"], "message": "HEN"}}',
        b'{"event": "sms:delivered", "payload": {"phoneNumber": "+84912000111"}}',
        b'{"event": "sms:batch:received", "payload": {"messages": "nope"}}',
        b"\xff\xfe",
    ],
)
def test_malformed_payloads_get_400_and_create_nothing(client, db, raw):
    response = _post(client, None, raw=raw)
    assert response.status_code == 400
    assert _counts(db) == {"messages": 0, "requests": 0, "outbox": 0, "residents": 0}


@pytest.mark.parametrize(
    "payload",
    [
        # An app before v1.54: no `sender`.
        {
            "messageId": "a1",
            "phoneNumber": PHONE,
            "message": "XEM",
            "receivedAt": "2026-12-01T08:15:00.000+07:00",
        },
        # A newer app that dropped the deprecated `phoneNumber`.
        {
            "messageId": "a1",
            "sender": PHONE,
            "message": "XEM",
            "receivedAt": "2026-12-01T08:15:00.000+07:00",
        },
        # Odd fields: a time that does not parse, a numeric id, a SIM that is not a number.
        {
            "messageId": 7,
            "sender": PHONE,
            "message": "XEM",
            "receivedAt": "not a time",
            "simNumber": "x",
        },
        # Nothing but a phone and a text.
        {"phoneNumber": PHONE, "message": "XEM"},
        # The phone as a JSON number.
        {"messageId": "a1", "phoneNumber": 84912000111, "message": "XEM"},
    ],
)
def test_a_signed_message_with_a_phone_and_a_text_is_never_refused(client, db, payload):
    event = {"event": "sms:received", "id": "evt-1", "payload": payload}
    response = _post(client, event)
    assert response.status_code == 200, response.data
    [stored] = db["messages"].rows_where("direction = 'in'")
    assert (stored["phone"], stored["body"], stored["intent"]) == (PHONE, "XEM", "status")
    # The phone retries a webhook until it gets a 2xx: the retry changes nothing.
    assert _post(client, event).status_code == 200
    assert db["messages"].count_where("direction = 'in'") == 1


def test_delivery_events_update_the_message_and_never_go_back(client, db):
    row = messages.record_outbound(
        db, provider="gateway", provider_id="gw-1", phone=PHONE, body="x", status="queued"
    )

    def event(name, **payload):
        return {"event": name, "id": f"e-{name}", "payload": {"messageId": "gw-1", **payload}}

    assert _post(client, event("sms:sent", phoneNumber=PHONE)).status_code == 200
    assert db["messages"].get(row["id"])["status"] == "sent"
    _post(client, event("sms:delivered", phoneNumber=PHONE))
    _post(client, event("sms:sent", phoneNumber=PHONE))
    assert db["messages"].get(row["id"])["status"] == "delivered"


def test_failed_event_records_the_reason(client, db):
    row = messages.record_outbound(
        db, provider="gateway", provider_id="gw-2", phone=PHONE, body="x", status="queued"
    )
    failed = {"event": "sms:failed", "payload": {"messageId": "gw-2", "reason": "RESULT_ERROR"}}
    _post(client, failed)
    stored = db["messages"].get(row["id"])
    assert (stored["status"], stored["error_message"]) == ("failed", "RESULT_ERROR")


def test_ping_and_unknown_events_are_acknowledged_and_count_as_signs_of_life(client, db):
    from app.delivery import gateway_watch

    assert gateway_watch.last_seen(db, DEFAULT_DEVICE) is None
    assert _post(client, {"event": "system:ping", "payload": {}}).status_code == 200
    assert _post(client, {"event": "mms:received", "payload": {}}).status_code == 200
    assert db["messages"].count == 0
    assert gateway_watch.state(db, DEFAULT_DEVICE)["last_event"] == "system:ping"
    assert gateway_watch.last_seen(db, DEFAULT_DEVICE) is not None


def test_a_forged_webhook_does_not_count_as_a_sign_of_life(client, db):
    from app.delivery import gateway_watch

    _post(client, {"event": "system:ping", "payload": {}}, key="someone-else")
    assert gateway_watch.last_seen(db, DEFAULT_DEVICE) is None


def test_batch_of_received_messages_goes_through_the_engine_in_order(client, db):
    first = _received("HEN Tan Phu", message_id="m1")["payload"]
    second = _received("XEM", message_id="m2", at="2026-12-01T08:16:00+07:00")["payload"]
    batch = {"event": "sms:batch:received", "payload": {"messages": [first, second]}}
    response = _post(client, batch)
    assert response.get_json()["stored"] == 2
    inbound = db["messages"].rows_where("direction = 'in'", order_by="id")
    intents = [row["intent"] for row in inbound]
    assert intents == ["visit", "status"]


def test_a_queued_reply_is_logged_as_a_reply_to_its_inbound_message_once_sent(app, client, db):
    from app.ops import worker

    _post(client, _received())
    with app.app_context():
        worker.run_pass(db, jobs=False)
    [inbound] = db["messages"].rows_where("direction = 'in'")
    [reply] = messages.replies_to(db, inbound["id"])
    assert reply["direction"] == "out" and reply["body"].startswith("Xa Phu Lam: ")
