"""SMS Gateway for Android: webhook signatures and payloads.

The phone signs each webhook with HMAC-SHA256 (hex) over the raw body followed by the
X-Timestamp header, keyed with the signing key set in the app. Payloads are parsed with the
android-sms-gateway package's own webhook classes.
"""

import hashlib
import hmac
import json
import time
from dataclasses import dataclass

from android_sms_gateway import webhooks
from android_sms_gateway.enums import WebhookEvent

# A signed request older (or newer) than this is refused, so a captured one cannot be replayed.
TIMESTAMP_TOLERANCE_SECONDS = 300

RECEIVED = WebhookEvent.SMS_RECEIVED.value
BATCH_RECEIVED = WebhookEvent.SMS_BATCH_RECEIVED.value
# Gateway delivery events → the statuses of our message log.
DELIVERY_EVENTS = {
    WebhookEvent.SMS_SENT.value: "sent",
    WebhookEvent.SMS_DELIVERED.value: "delivered",
    WebhookEvent.SMS_FAILED.value: "failed",
}


class BadPayload(ValueError):
    """Raised when a correctly signed webhook does not have the expected shape."""


def sign(key, body, timestamp):
    """Return the hex HMAC-SHA256 the gateway sends in X-Signature."""
    message = body + str(timestamp).encode()
    return hmac.new(key.encode(), message, hashlib.sha256).hexdigest()


def signature_problem(key, body, signature, timestamp, now=None):
    """Return why a webhook's signature is unacceptable, or None when it is good."""
    if not key:
        return "no signing key configured"
    if not signature or not timestamp:
        return "missing signature or timestamp"
    try:
        stamp = int(timestamp)
    except ValueError:
        return "malformed timestamp"
    now = time.time() if now is None else now
    if abs(now - stamp) > TIMESTAMP_TOLERANCE_SECONDS:
        return "stale timestamp"
    expected = sign(key, body, timestamp)
    if not hmac.compare_digest(expected, signature.strip().lower()):
        return "signature mismatch"
    return None


@dataclass(frozen=True)
class Event:
    """One webhook event: its name, the gateway's event id and its raw payload dict."""

    name: str
    event_id: str
    payload: dict


def parse_event(body):
    """Parse the JSON envelope {"event", "id", "payload", ...}, or raise BadPayload."""
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadPayload("body is not JSON") from exc
    if not isinstance(data, dict) or not isinstance(data.get("event"), str):
        raise BadPayload("no event name")
    payload = data.get("payload", {})
    if not isinstance(payload, dict):
        raise BadPayload("payload is not an object")
    return Event(data["event"], str(data.get("id") or ""), payload)


def received_messages(event):
    """Return the SmsReceivedPayload list of an sms:received or sms:batch:received event."""
    try:
        if event.name == BATCH_RECEIVED:
            if not isinstance(event.payload.get("messages"), list):
                raise BadPayload("batch without messages")
            parsed = webhooks.SmsBatchReceivedPayload.from_dict(event.payload).messages
        else:
            parsed = (webhooks.SmsReceivedPayload.from_dict(event.payload),)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise BadPayload(f"bad {event.name} payload") from exc
    for message in parsed:
        if not isinstance(message.phone_number, str) or not isinstance(message.message, str):
            raise BadPayload("phone number and message must be text")
        if not isinstance(message.message_id, str | int) or message.received_at is None:
            raise BadPayload("message id and time are required")
    return list(parsed)


def dedupe_key(message):
    """The gateway's messageId is derived from content, so add the phone and time to it."""
    return f"gateway:{message.message_id}:{message.phone_number}:{message.received_at.isoformat()}"


def delivery_update(event):
    """Return (message id, status, reason) from an sms:sent/delivered/failed event."""
    message_id = event.payload.get("messageId")
    if not isinstance(message_id, str) or not message_id:
        raise BadPayload(f"{event.name} without messageId")
    reason = event.payload.get("reason")
    return message_id, DELIVERY_EVENTS[event.name], reason if isinstance(reason, str) else None
