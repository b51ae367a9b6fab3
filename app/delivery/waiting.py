"""Inbound SMS stored at the door and waiting for the worker to answer them.

The webhook stores a message and its waiting row in one short transaction and answers the
provider at once (DESIGN.md principle 5). The worker leases every waiting row of a phone
together, so one phone's messages are answered in arrival order and never two at once,
even by several worker processes; a row is deleted in the transaction that answers it,
only while its lease is still held. A worker that dies leaves its lease to expire, and
the next worker answers the rows, once.

`take` is what every door calls (the Twilio and gateway webhooks, the simulator): it stores
the message and wakes the workers.
"""

import datetime as dt
import unicodedata

from app import communes
from app.delivery import messages
from app.infra import clock, wake
from app.language import phones
from db import first, transaction

# Answering a phone's few messages takes milliseconds; a lease this long only matters
# when a worker died holding it.
LEASE_SECONDS = 15


def take(db, *, commune, phone, body, provider, provider_id, dedupe_key, opt_out_type=None):
    """Store one inbound SMS to COMMUNE as waiting and wake the workers; return (row, is_new).

    The door's whole job: no classifier, catalogue or dialogue. A retried delivery (same
    DEDUPE_KEY) stores nothing new and wakes nobody.
    """
    body = unicodedata.normalize("NFC", body or "")
    e164 = sender_e164(phone)
    with communes.bound(commune):
        message, is_new = store(
            db,
            provider=provider,
            provider_id=provider_id,
            dedupe_key=dedupe_key,
            phone=e164 or str(phone or ""),
            phone_raw=str(phone or ""),
            body=body,
            opt_out_type=opt_out_type,
        )
    if is_new and getattr(db, "file_path", None):
        wake.notify(db.file_path)
    return message, is_new


def sender_e164(phone):
    """The sender as E.164 when it is a person who can be answered, else None."""
    try:
        # Any numeric sender that looks like a phone number is a person and gets an answer.
        return phones.sender(phone)
    except phones.InvalidPhone:
        return None


def store(db, *, provider, provider_id, dedupe_key, phone, phone_raw, body, opt_out_type=None):
    """Store an inbound SMS as waiting to be answered; return (message row, is_new).

    A retried delivery (same DEDUPE_KEY) stores nothing new. One stored by an older version
    and never answered (no intent yet) waits again, so it is answered now.
    """
    with transaction(db):
        message, is_new = messages.record_inbound(
            db,
            provider=provider,
            provider_id=provider_id,
            dedupe_key=dedupe_key,
            phone=phone,
            body=body,
        )
        if message["intent"] is None:
            db.conn.execute(
                "INSERT OR IGNORE INTO inbox_waiting (message_id, commune_id, phone, phone_raw,"
                " opt_out_type, created_at) VALUES (:message_id, :commune_id, :phone, :phone_raw,"
                " :opt_out_type, :created_at)",
                {
                    "message_id": message["id"],
                    "commune_id": communes.current_id(),
                    "phone": phone,
                    "phone_raw": phone_raw,
                    "opt_out_type": opt_out_type,
                    "created_at": message["created_at"],
                },
            )
    return message, is_new


# Waiting rows in arrival order whose phone no other live lease holds. Read only until
# enough phones are found, so a lease costs the same with ten or ten thousand waiting.
_FREE_ROWS = """
    SELECT commune_id, phone FROM inbox_waiting AS w
    WHERE NOT EXISTS (
        SELECT 1 FROM inbox_waiting AS held
        WHERE held.commune_id = w.commune_id AND held.phone = w.phone
          AND held.lease_owner IS NOT NULL AND held.lease_expires_at > :now
          AND held.lease_owner != :owner
    )
    ORDER BY message_id
"""
# One phone at a time: each is an index search, where a list of pairs was not.
_TAKE_PHONE = """
    UPDATE inbox_waiting
    SET lease_owner = :owner, lease_expires_at = :expires
    WHERE commune_id = :commune_id AND phone = :phone
    RETURNING *
"""


def lease(db, owner, *, phones=20, lease_seconds=LEASE_SECONDS):
    """Take every waiting row of up to PHONES phones no live lease holds; oldest phones first.

    Returns the rows in arrival order. Rows of a phone that arrive while its lease is held
    wait for the next lease, after the holder has answered the earlier ones.
    """
    now = clock.now()
    with transaction(db):
        expires = clock.iso(now + dt.timedelta(seconds=lease_seconds))
        leased = []
        for commune_id, phone in _oldest_free_phones(db, owner, clock.iso(now), phones):
            cursor = db.conn.execute(
                _TAKE_PHONE,
                {"owner": owner, "expires": expires, "commune_id": commune_id, "phone": phone},
            )
            columns = [column[0] for column in cursor.description]
            leased += [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
    return sorted(leased, key=lambda row: row["message_id"])


def _oldest_free_phones(db, owner, now, limit):
    """Up to LIMIT [commune_id, phone] pairs no other lease holds, by their oldest message.

    A GROUP BY over the table read every waiting row on each lease: with a backlog of 12,000
    a lease took 51 ms inside the write lock, so the backlog itself slowed its own draining.
    """
    chosen = {}
    cursor = db.conn.execute(_FREE_ROWS, {"owner": owner, "now": now})
    try:
        for commune_id, phone in cursor:
            chosen.setdefault((commune_id, phone), None)
            if len(chosen) == limit:
                break
    finally:
        cursor.close()
    return list(chosen)


def finish(db, message_id, owner):
    """Delete a waiting row inside the answering transaction; False if the lease was lost."""
    cursor = db.conn.execute(
        "DELETE FROM inbox_waiting WHERE message_id = :message_id AND lease_owner = :lease_owner",
        {"message_id": message_id, "lease_owner": owner},
    )
    return cursor.rowcount == 1


def count(db):
    """How many stored messages wait to be answered."""
    return first(db, "SELECT count(*) AS n FROM inbox_waiting")["n"]


def oldest_wait(db, now=None):
    """Seconds the oldest waiting message has waited, or None when none waits."""
    row = first(db, "SELECT min(created_at) AS at FROM inbox_waiting")
    if not row or not row["at"]:
        return None
    return ((now or clock.now()) - clock.parse(row["at"])).total_seconds()


def replies(db, dedupe_key):
    """What became of the message stored under DEDUPE_KEY: (answered, [(body, outbox status)]).

    answered is False while it waits (or when nothing is stored under the key).
    """
    message = messages.by_dedupe_key(db, dedupe_key)
    if message is None:
        return False, []
    cursor = db.conn.execute(
        "SELECT body, status FROM outbox WHERE reply_to_id = :reply_to_id ORDER BY id",
        {"reply_to_id": message["id"]},
    )
    return message["intent"] is not None, [(body, status) for body, status in cursor]
