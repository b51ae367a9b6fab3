"""The SMS log: every inbound and outbound message, with provider ids and delivery status."""

import datetime as dt
import json

from app import communes, lifecycle, residents
from app.catalogue import commune_settings
from app.delivery import delivery_states
from app.infra import clock
from db import first, insert_many_returning, insert_returning, rows, update_returning
from db import update as update_row

# Delivery statuses in the order they can happen; a late callback never moves a message back.
STATUS_RANK = {
    "queued": 1,
    "accepted": 1,
    "sending": 2,
    "sent": 3,
    "delivered": 4,
    "read": 5,
    "undelivered": 4,
    "failed": 4,
    "cancelled": 4,  # the Android gateway's word
    "canceled": 4,  # Twilio's
}
FINAL_FAILURES = set(lifecycle.SMS_FAILED)
RATE_FLAG = "SMS rate limit: {count} messages in {minutes} minutes, replies paused"


def get(db, message_id):
    """Return a message row by id, or None."""
    return first(db, "SELECT * FROM messages WHERE id = :id", {"id": message_id})


def by_dedupe_key(db, dedupe_key):
    """Return the inbound message stored under a provider dedupe key, or None."""
    return first(
        db, "SELECT * FROM messages WHERE dedupe_key = :dedupe_key", {"dedupe_key": dedupe_key}
    )


def record_inbound(db, *, provider, provider_id, dedupe_key, phone, body, resident_id=None):
    """Store an inbound SMS before anything else; return (row, is_new).

    A provider retry carries the same DEDUPE_KEY and gets the first row back with
    is_new False, so the caller can replay the stored reply instead of acting again.
    """
    stamp = clock.iso(clock.now())
    record = {
        "commune_id": communes.current_id(),
        "direction": "in",
        "provider": provider,
        "provider_id": provider_id,
        "dedupe_key": dedupe_key,
        "phone": phone,
        "resident_id": resident_id,
        "body": body,
        "status": "received",
        "created_at": stamp,
        "updated_at": stamp,
    }
    # One statement for a new message; a retry finds the first row instead.
    row = insert_returning(db, "messages", record, on_conflict_do_nothing="dedupe_key")
    if row is None:
        return by_dedupe_key(db, dedupe_key), False
    return row, True


def record_outbound(db, **fields):
    """Store an outbound SMS (an inline reply or a send from the outbox); return its row."""
    # The fields are _outbound's keywords, which it checks and stamps.
    return insert_returning(db, "messages", _outbound(**fields))


def record_replies(db, bodies, *, provider, phone, reply_to_id, request_id, resident_id, intent):
    """Store the inline replies to an inbound message, in one statement; return their rows."""
    records = [
        _outbound(
            provider=provider,
            phone=phone,
            body=body,
            status="queued",
            reply_to_id=reply_to_id,
            request_id=request_id,
            resident_id=resident_id,
            intent=intent,
        )
        for body in bodies
    ]
    return insert_many_returning(db, "messages", records)


def _outbound(
    *,
    provider,
    phone,
    body,
    status,
    reply_to_id=None,
    request_id=None,
    resident_id=None,
    provider_id=None,
    outbox_id=None,
    intent=None,
):
    """The row of an outbound SMS, stamped now."""
    stamp = clock.iso(clock.now())
    return {
        "commune_id": communes.current_id(),
        "direction": "out",
        "provider": provider,
        "provider_id": provider_id,
        "phone": phone,
        "resident_id": resident_id,
        "body": body,
        "intent": intent,
        "status": status,
        "request_id": request_id,
        "reply_to_id": reply_to_id,
        "outbox_id": outbox_id,
        "created_at": stamp,
        "updated_at": stamp,
    }


def replies_to(db, inbound_id):
    """Return the replies stored for an inbound message, in order."""
    return rows(
        db,
        "SELECT * FROM messages WHERE reply_to_id = :reply_to_id ORDER BY id",
        {"reply_to_id": inbound_id},
    )


def update_delivery(
    db, *, provider, provider_id, status, error_code=None, error_message=None, commune_id=None
):
    """Apply a delivery callback; ignore ones that arrive late or refer to no message.

    With COMMUNE_ID (a gateway phone's report) only that commune's message is touched: a
    phone speaks for the messages it was given, never another commune's. Returns the
    updated row, or None when nothing matched or changed.
    """
    message = first(
        db,
        "SELECT * FROM messages WHERE provider = :provider AND provider_id = :provider_id"
        " AND direction = 'out' AND (:commune_id IS NULL OR commune_id = :commune_id)",
        {"provider": provider, "provider_id": provider_id, "commune_id": commune_id},
    )
    if not message:
        return None
    new_rank = STATUS_RANK.get(status, 0)
    old_rank = STATUS_RANK.get(message["status"], 0)
    # Callbacks can arrive out of order: "sent" after "delivered" must not undo it.
    if new_rank < old_rank or (new_rank == old_rank and message["status"] in FINAL_FAILURES):
        return None
    changes = {"status": status, "updated_at": clock.iso(clock.now())}
    if error_code:
        changes["error_code"] = str(error_code)
    if error_message:
        changes["error_message"] = error_message
    update_row(db, "messages", "id", message["id"], changes)
    return get(db, message["id"])


def thread(db, commune, phone, limit=200):
    """Return COMMUNE's conversation with one phone number, oldest first.

    The same phone texting two communes is two residents with two threads.
    """
    latest = communes.scoped_rows(
        db,
        commune,
        f"SELECT m.*, {delivery_states.PARTS_COLUMNS} FROM messages m"
        f" LEFT JOIN {delivery_states.PARTS_JOIN}"
        " WHERE m.commune_id = :commune_id AND m.phone = :phone ORDER BY m.id DESC LIMIT :limit",
        {"phone": phone, "limit": limit},
    )
    return list(reversed(latest))


def classify(db, message_id, *, intent, status=None, request_id=None, resident_id=None):
    """Record what an inbound message turned out to be (the request it opened, its sender)."""
    changes = {"intent": intent, "updated_at": clock.iso(clock.now())}
    if resident_id:
        # A message the door stored before its sender was looked up.
        changes["resident_id"] = resident_id
    if status:
        changes["status"] = status
    if request_id:
        changes["request_id"] = request_id
    return update_returning(db, "messages", "id", message_id, changes)


def set_likely(db, message_id, likely):
    """Keep a handed-over message's likeliest meanings for the console's one-tap labels."""
    update_row(db, "messages", "id", message_id, {"likely": json.dumps(likely)})


def likely_of(row):
    """The likeliest meanings kept for a message row: [{intent, p, hamlet, procedure}]."""
    try:
        found = json.loads(row["likely"] or "[]")
    except (KeyError, IndexError, TypeError, ValueError):
        return []
    return [item for item in found if isinstance(item, dict) and item.get("intent")]


def inbound_count_since(db, phone, since):
    """Count the messages PHONE sent the bound commune since the aware datetime SINCE."""
    return db.execute(
        "SELECT count(*) FROM messages WHERE commune_id = :commune_id AND phone = :phone"
        " AND direction = 'in' AND created_at >= :since",
        {"commune_id": communes.current_id(), "phone": phone, "since": clock.iso(since)},
    ).fetchone()[0]


def over_rate_limit(db, resident):
    """Tell whether RESIDENT sent more SMS than the commune's limit; flag them for staff once."""
    limit, seconds = commune_settings.sms_rate_limit(db)
    count = inbound_count_since(db, resident["phone"], clock.now() - dt.timedelta(seconds=seconds))
    if count <= limit:
        return False
    if not resident["flagged_at"]:
        reason = RATE_FLAG.format(count=count, minutes=seconds // 60)
        residents.flag(db, resident["id"], reason)
    return True


def attach_provider_id(db, message_id, *, provider, provider_id):
    """Give an outbound message the provider's id once the provider reports it.

    Inline TwiML replies get their MessageSid only in the first status callback.
    """
    message = get(db, message_id)
    if not message or message["direction"] != "out" or message["provider"] != provider:
        return None
    if message["provider_id"] and message["provider_id"] != provider_id:
        return None
    if not message["provider_id"]:
        update_row(
            db,
            "messages",
            "id",
            message_id,
            {"provider_id": provider_id, "updated_at": clock.iso(clock.now())},
        )
    return get(db, message_id)
