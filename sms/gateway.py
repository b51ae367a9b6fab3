"""SMS Gateway for Android: webhook signatures and payloads of every app version.

The phone signs each webhook with HMAC-SHA256 (hex) over the raw body followed by the
X-Timestamp header, keyed with the signing key set in the app (PayloadSigningPlugin, app
v1.33+; the timestamp is recomputed on every retry). Payloads are read with the
android-sms-gateway package's webhook classes where they fit, and tolerantly where they do
not: `sender` arrived only in app v1.54 (older apps send the deprecated `phoneNumber`
alone, newer ones may drop it), and null fields are left out (capcom6/android-sms-gateway
SmsEventPayload, Gson without serializeNulls). A signed message with a phone and a text is
never refused: the phone would retry it for two days and then drop the resident's words.
"""

import dataclasses
import datetime as dt
import hashlib
import hmac
import re
import time

from android_sms_gateway import webhooks
from android_sms_gateway.enums import WebhookEvent

from app.infra.web import json_bodies

# A signed request older (or newer) than this is refused, so a captured one cannot be replayed.
TIMESTAMP_TOLERANCE_SECONDS = 300

RECEIVED = WebhookEvent.SMS_RECEIVED.value
BATCH_RECEIVED = WebhookEvent.SMS_BATCH_RECEIVED.value
PING = WebhookEvent.SYSTEM_PING.value
# Gateway delivery events → the statuses of our message log.
DELIVERY_EVENTS = {
    WebhookEvent.SMS_SENT.value: "sent",
    WebhookEvent.SMS_DELIVERED.value: "delivered",
    WebhookEvent.SMS_FAILED.value: "failed",
    WebhookEvent.SMS_CANCELLED.value: "cancelled",
}
# The app's User-Agent: "me.capcom.smsgateway/<version>" (SendWebhookWorker DefaultRequest).
USER_AGENT = re.compile(r"smsgateway/([0-9][0-9A-Za-z.\-]*)")


class BadPayload(ValueError):
    """Raised when a correctly signed webhook carries nothing the app can use."""


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


def app_version(user_agent):
    """The app version in the phone's User-Agent, or None."""
    found = USER_AGENT.search(user_agent or "")
    return found.group(1) if found else None


@dataclasses.dataclass(frozen=True)
class Event:
    """One webhook: its name, the gateway's event id, its device and its raw payload dict."""

    name: str
    event_id: str
    payload: dict
    device_id: str | None = None


def parse_event(body):
    """Parse the JSON envelope {"event", "id", "deviceId", "payload", ...}, or raise BadPayload."""
    try:
        data = json_bodies.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        # Also "[[[[...]]]]" nested deeper than the parser goes, and a lone "\ud800".
        raise BadPayload("body is not JSON") from exc
    if not isinstance(data, dict) or not isinstance(data.get("event"), str):
        raise BadPayload("no event name")
    payload = data.get("payload") or {}
    if not isinstance(payload, dict):
        raise BadPayload("payload is not an object")
    device = data.get("deviceId")
    return Event(
        data["event"],
        str(data.get("id") or ""),
        payload,
        device if isinstance(device, str) and device else None,
    )


@dataclasses.dataclass(frozen=True)
class InboundSms:
    """One received SMS, whatever app version sent it."""

    phone: str
    text: str
    message_id: str | None = None
    received_at: dt.datetime | None = None
    received_raw: str | None = None
    sim_number: int | None = None


def _text(value):
    """VALUE as stripped text if it is a string or a number, else None."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float | str):
        text = str(value).strip()
        return text or None
    return None


def _moment(raw):
    """Parse the app's ISO time ("2026-12-01T08:15:00.000+07:00"); None if it cannot."""
    if not isinstance(raw, str):
        return None
    try:
        moment = dt.datetime.fromisoformat(raw.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _sim(value):
    """A SIM slot number (1–3 in the app), or None."""
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


def read_received(payload):
    """Read one sms:received payload, with the client library when it fits; None if unusable."""
    if not isinstance(payload, dict):
        return None
    try:
        parsed = webhooks.SmsReceivedPayload.from_dict(payload)
    except (KeyError, TypeError, ValueError, AttributeError):
        parsed = None
    if parsed is not None and isinstance(parsed.sender, str) and isinstance(parsed.message, str):
        phone, text = parsed.sender.strip(), parsed.message
        received_at, message_id, sim = parsed.received_at, parsed.message_id, parsed.sim_number
    else:
        # An app before v1.54 (no `sender`), one that dropped `phoneNumber`, or an odd field.
        phone = _text(payload.get("sender")) or _text(payload.get("phoneNumber"))
        text = payload.get("message") if isinstance(payload.get("message"), str) else None
        received_at = _moment(payload.get("receivedAt"))
        message_id, sim = payload.get("messageId"), payload.get("simNumber")
    if not phone or text is None or not text.strip():
        return None
    raw = payload.get("receivedAt")
    return InboundSms(
        phone=phone,
        text=text,
        message_id=_text(message_id),
        received_at=received_at,
        received_raw=raw if isinstance(raw, str) else None,
        sim_number=_sim(sim),
    )


def received_messages(event):
    """The InboundSms of an sms:received or sms:batch:received event; BadPayload if none."""
    if event.name == BATCH_RECEIVED:
        entries = event.payload.get("messages")
        if not isinstance(entries, list):
            raise BadPayload("batch without messages")
    else:
        entries = [event.payload]
    found = [sms for sms in (read_received(entry) for entry in entries) if sms]
    if not found:
        raise BadPayload(f"{event.name} without a phone and a text")
    return found


def dedupe_key(sms, event):
    """The key under which a received SMS is stored once, however often it is delivered.

    The app's messageId is a hash of the content, so the phone and the receive time are
    added to it (two identical texts at different times are two messages). The key is the
    same for a retried webhook, a duplicate and an inbox re-delivery, which all carry the
    same messageId and receivedAt. When the app left those out, the event id (kept across
    the app's retries) or the text stands in.
    """
    if sms.received_at is not None:
        moment = sms.received_at.isoformat()
    else:
        moment = sms.received_raw or f"event:{event.event_id or 'none'}"
    message_id = sms.message_id or hashlib.sha1(f"{sms.phone}|{sms.text}".encode()).hexdigest()[:8]
    return f"gateway:{message_id}:{sms.phone}:{moment}"


@dataclasses.dataclass(frozen=True)
class DeliveryReport:
    """One sms:sent/delivered/failed/cancelled webhook: about one part of a long message.

    The app sends sms:delivered and sms:failed once per part, sms:sent with the message's
    `partsCount` (capcom6/android-sms-gateway EventsReceiver and SmsEventPayload).
    """

    event_id: str
    message_id: str
    status: str
    reason: str | None = None
    recipient: str | None = None
    at: str | None = None
    parts_count: int | None = None


def delivery_update(event):
    """Read an sms:sent/delivered/failed/cancelled event, or raise BadPayload."""
    payload = event.payload
    message_id = _text(payload.get("messageId"))
    if not message_id:
        raise BadPayload(f"{event.name} without messageId")
    reason = payload.get("reason")
    parts = payload.get("partsCount")
    moment = next(
        (payload[k] for k in ("sentAt", "deliveredAt", "failedAt", "cancelledAt") if k in payload),
        None,
    )
    return DeliveryReport(
        event_id=event.event_id,
        message_id=message_id,
        status=DELIVERY_EVENTS[event.name],
        reason=reason if isinstance(reason, str) else None,
        recipient=_text(payload.get("recipient")) or _text(payload.get("phoneNumber")),
        at=moment if isinstance(moment, str) else None,
        # -1 when the app does not know it yet (EventsReceiver: partsCount ?: -1).
        parts_count=parts if isinstance(parts, int) and not isinstance(parts, bool) else None,
    )
