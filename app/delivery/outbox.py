"""The outbox: proactive SMS written with the change that causes them, sent by the worker.

Callers enqueue inside the transaction that makes the change, so a message exists if and
only if the change was committed. The worker then:

1. leases due rows atomically (one UPDATE ... RETURNING inside BEGIN IMMEDIATE), so any
   number of worker processes never hold the same row;
2. commits, and only then calls the transport (never the network inside a transaction);
3. records the outcome and the attempt, but only if it still holds the lease.

Twilio's REST API is not idempotent, so a resend is never blind. After an ambiguous attempt
(a timeout, a 5xx, a reset connection, or a worker that died holding the lease) the row is
marked `lookup_needed`, and its next attempt first asks the provider whether the message
exists (`transport.find`): if it does, its id and status are recorded and nothing is sent;
only a definite "not there" sends again. Failures retry after 1, 5, 15 and 60 minutes, then
the row is failed and shown to staff, who can retry it. Every attempt is kept in
outbox_attempts for the staff pages.
"""

import dataclasses
import datetime as dt
import logging
import os
import secrets
import socket

from app import channels, communes
from app.catalogue import quiet_hours
from app.delivery import attempts, delivery_states, gateway_budget, gateway_watch, transports
from app.delivery.transports import Outgoing
from app.infra import clock, wake
from db import first, insert, rows, transaction

log = logging.getLogger(__name__)

LEASE_SECONDS = 90
# A send may take up to a transport timeout (10–15 s); never start one this close to the
# end of the lease, or another worker could lease the row while it is in flight.
SEND_MARGIN_SECONDS = 30
# Answers to something the resident has just done (an SMS to the gateway, a key pressed
# for an SMS copy). They are not proactive, so quiet hours and opt-out do not hold them,
# just as an inline TwiML reply is not held.
REACTIVE_KINDS = frozenset({"reply", "voice_copy"})
KINDS = (
    frozenset(
        {"confirmation", "reminder", "visited", "rescheduled", "answer", "unreachable", "cancelled"}
    )
    | REACTIVE_KINDS
)


class OutboxError(ValueError):
    """Raised when a staff action on an outbox row is not possible."""


def for_phone(db, commune, phone, statuses):
    """Return COMMUNE's outbox rows to PHONE in one of STATUSES, oldest first."""
    marks = ", ".join(f":s{index}" for index in range(len(statuses)))
    sql = (
        "SELECT * FROM outbox WHERE commune_id = :commune_id AND phone = :phone"
        f" AND status IN ({marks}) ORDER BY id"
    )
    named = {f"s{index}": status for index, status in enumerate(statuses)}
    return communes.scoped_rows(db, commune, sql, {"phone": phone, **named})


def bodies_replying_to(db, message_id):
    """Return the bodies of the replies queued for an inbound message, in order."""
    cursor = db.conn.execute(
        "SELECT body FROM outbox WHERE reply_to_id = :reply_to_id ORDER BY id",
        {"reply_to_id": message_id},
    )
    return [body for (body,) in cursor]


def enqueue(
    db,
    phone,
    body,
    *,
    kind,
    request_id=None,
    trip_id=None,
    dedupe_key=None,
    not_before=None,
    reply_to_id=None,
):
    """Queue one SMS to PHONE and return its row; a repeated DEDUPE_KEY queues nothing new."""
    stamp = clock.iso(clock.now())
    dedupe_key = dedupe_key or f"{kind}:{secrets.token_hex(8)}"
    insert(
        db,
        "outbox",
        {
            "commune_id": communes.current_id(),
            "phone": phone,
            "body": body,
            "kind": kind,
            "request_id": request_id,
            "trip_id": trip_id,
            "reply_to_id": reply_to_id,
            "dedupe_key": dedupe_key,
            "status": "pending",
            "attempts": 0,
            "next_attempt_at": clock.iso(not_before) if not_before else stamp,
            # The row's key: the gateway's message id (a repeat gets 409). Twilio has no
            # such field; its sends are made safe by the lookup in deliver().
            "idempotency_key": secrets.token_hex(16),
            "created_at": stamp,
        },
        ignore=True,
    )
    return by_dedupe_key(db, dedupe_key)


def get(db, outbox_id):
    """Return an outbox row by id, or None."""
    return first(db, "SELECT * FROM outbox WHERE id = :id", {"id": outbox_id})


def by_dedupe_key(db, dedupe_key):
    """Return the outbox row queued under DEDUPE_KEY, or None."""
    return first(
        db, "SELECT * FROM outbox WHERE dedupe_key = :dedupe_key", {"dedupe_key": dedupe_key}
    )


def cancel_pending(db, *, reason, request_id=None, trip_id=None, kind=None):
    """Cancel unsent rows matching REQUEST_ID / TRIP_ID / KIND (a stale notice or reminder)."""
    clauses, params = ["status = 'pending'"], {"reason": reason}
    for column, value in (("request_id", request_id), ("trip_id", trip_id), ("kind", kind)):
        if value is not None:
            clauses.append(f"{column} = :{column}")
            params[column] = value
    if len(clauses) == 1:
        raise ValueError("cancel_pending needs a request, a trip or a kind")
    where = " AND ".join(clauses)
    cursor = db.execute(
        f"UPDATE outbox SET status = 'cancelled', last_error = :reason WHERE {where}", params
    )
    return cursor.rowcount


def retry(db, outbox_id, *, actor):
    """Put a failed message back in the queue for an immediate new series of attempts."""
    row = get(db, outbox_id)
    if row is None:
        raise OutboxError(f"no outbox message with id {outbox_id}")
    if row["status"] != "failed":
        raise OutboxError(f"message {outbox_id} is {row['status']}; only failed ones are retried")
    changes = {
        "status": "pending",
        "attempts": 0,
        "next_attempt_at": clock.iso(clock.now()),
        "failed_at": None,
        "lease_owner": None,
        "lease_expires_at": None,
        "last_error": f"{row['last_error'] or ''} (retry asked by {actor})".strip(),
    }
    if row["provider_id"]:
        # The provider took it and then reported it failed or lost: a new message, with a
        # new key (the gateway would refuse the old id as a repeat).
        changes.update(
            idempotency_key=secrets.token_hex(16),
            provider_id=None,
            lookup_needed=0,
            first_attempt_at=None,
        )
    db["outbox"].update(outbox_id, changes)
    return get(db, outbox_id)


def mark_provider_failure(db, outbox_id, reason):
    """A sent message the provider then reported failed, cancelled or lost: list it for staff.

    Runs inside the caller's transaction; a row that is not `sent` is left alone.
    """
    if not outbox_id:
        return False
    stamp = clock.iso(clock.now())
    cursor = db.execute(
        "UPDATE outbox SET status = 'failed', failed_at = :now, last_error = :reason"
        " WHERE id = :id AND status = 'sent'",
        {"now": stamp, "reason": reason, "id": outbox_id},
    )
    if cursor.rowcount:
        row = get(db, outbox_id)
        attempts.note(db, row, [("report", "failed", reason)], stamp)
    return cursor.rowcount == 1


def unsent_for_request(db, request_id):
    """The request's messages that are not sent: waiting, being sent, failed or not sent."""
    return rows(
        db,
        f"SELECT o.*, {delivery_states.PARTS_COLUMNS} FROM outbox o"
        f" LEFT JOIN {delivery_states.OUTBOX_PARTS_JOIN}"
        " WHERE o.request_id = :request_id AND o.status != 'sent' ORDER BY o.id",
        {"request_id": request_id},
    )


# Sending ----------------------------------------------------------------------------------


def new_owner():
    """Return a lease owner id unique to this process and call."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"


def lease(db, owner, *, limit=50, lease_seconds=LEASE_SECONDS):
    """Atomically take up to LIMIT due rows for OWNER; return them, oldest first.

    Due means pending with next_attempt_at reached, or leased by a worker whose lease has
    expired (which makes the next attempt look before it sends). In a commune's quiet
    hours only reactive kinds of that commune are due.
    """
    now = clock.now()
    quiet_clause = ""
    quiet = quiet_hours.quiet_communes(db, now)
    if quiet:
        kinds = ", ".join(f"'{kind}'" for kind in sorted(REACTIVE_KINDS))
        ids = ", ".join(str(int(commune_id)) for commune_id in quiet)
        quiet_clause = f"AND (commune_id NOT IN ({ids}) OR kind IN ({kinds}))"
    urgent = ", ".join(f"'{kind}'" for kind in sorted(gateway_budget.URGENT_KINDS))
    with transaction(db):
        rows = db.conn.execute(
            f"""
            UPDATE outbox
            SET status = 'leased', lease_owner = :owner, lease_expires_at = :expires,
                attempts = attempts + 1,
                first_attempt_at = coalesce(first_attempt_at, :now),
                -- An expired lease: its holder may have sent the message before it died.
                lookup_needed = CASE WHEN status = 'leased' THEN 1 ELSE lookup_needed END
            WHERE id IN (
                SELECT id FROM outbox
                WHERE ((status = 'pending' AND next_attempt_at <= :now)
                       OR (status = 'leased' AND lease_expires_at <= :now))
                  {quiet_clause}
                -- Urgent kinds first: a gateway phone's budget goes to them before reminders.
                ORDER BY CASE WHEN kind IN ({urgent}) THEN 0 ELSE 1 END, next_attempt_at, id
                LIMIT :limit
            )
            RETURNING *
            """,
            {
                "owner": owner,
                "expires": clock.iso(now + dt.timedelta(seconds=lease_seconds)),
                "now": clock.iso(now),
                "limit": limit,
            },
        )
        columns = [column[0] for column in rows.description]
        leased = [dict(zip(columns, row, strict=True)) for row in rows.fetchall()]
    return sorted(leased, key=lambda row: row["id"])


def send_due(db, limit=50, *, transport, owner=None):
    """Lease due messages, send each through TRANSPORT and record the outcome; return sent."""
    owner = owner or new_owner()
    sent = 0
    known = {}
    for row in lease(db, owner, limit=limit):
        commune_id = row["commune_id"]
        if commune_id not in known:
            known[commune_id] = communes.by_id(db, commune_id)
        # What a send records (the outbound message, a failure for staff) is the row's commune's.
        with communes.bound(known[commune_id]):
            if deliver(db, row, transport, owner) == "sent":
                sent += 1
    return sent


def _reason_not_to_send(db, row, transport_name=None):
    """Return why a leased row must not go out any more, or None."""
    if transport_name in ("twilio", "gateway") and not channels.can_send(
        db, row["commune_id"], transport_name
    ):
        # Never from another commune's number or SIM.
        return f"the commune has no {transport_name} channel to send from"
    if row["kind"] not in REACTIVE_KINDS:
        opted_out = db.execute(
            "SELECT opted_out FROM residents WHERE commune_id = :commune_id AND phone = :phone",
            {"commune_id": row["commune_id"], "phone": row["phone"]},
        ).fetchone()
        if opted_out and opted_out[0]:
            return "opted out"
    if row["kind"] == "reminder" and row["request_id"]:
        current = db.execute(
            "SELECT status, trip_id FROM requests WHERE id = :id", {"id": row["request_id"]}
        ).fetchone()
        if not current or current[0] != "scheduled" or current[1] != row["trip_id"]:
            return "visit no longer on this trip"
    return None


def _known_ids(db, row, since):
    """Provider ids our other messages to ROW's phone own since SINCE (a lookup skips them)."""
    found = db.execute(
        "SELECT provider_id FROM messages WHERE phone = :phone AND direction = 'out'"
        " AND provider_id IS NOT NULL AND created_at >= :since"
        " AND coalesce(outbox_id, 0) != :outbox_id",
        {"phone": row["phone"], "since": clock.iso(since), "outbox_id": row["id"]},
    )
    return frozenset(provider_id for (provider_id,) in found)


def outgoing(db, row, *, transport_name=None, config=None):
    """The Outgoing a transport sends for outbox ROW (through its gateway device, if it has one)."""
    first_attempt = clock.parse(row["first_attempt_at"])
    known = frozenset()
    if row["lookup_needed"]:
        known = _known_ids(db, row, (first_attempt or clock.now()) - transports.LOOKUP_SLACK)
    sim = device = None
    if transport_name == "gateway":
        # A dual-SIM phone would otherwise answer from its default SIM, a number the
        # resident may never have written to.
        sim = gateway_watch.sim_for(db, row["commune_id"], row["phone"], row["reply_to_id"])
        # A lookup asks the phone that had the message.
        device = first(db, "SELECT * FROM channels WHERE id = :id", {"id": row.get("channel_id")})
    return Outgoing(
        phone=row["phone"],
        body=row["body"],
        key=row["idempotency_key"],
        outbox_id=row["id"],
        sim_number=sim,
        first_attempt_at=first_attempt,
        known_ids=known,
        from_number=channels.sending_number(db, row["commune_id"]),
        channel_id=device["id"] if device else None,
        gateway=channels.gateway_account(device, config or {}) if device else None,
    )


# The outcomes that leave a row where it stays: whoever waits for a reply stops waiting.
SETTLED = ("sent", "failed", "cancelled")


def deliver(db, row, transport, owner):
    """Send one leased row (outside any transaction) and record the result.

    Returns "sent", "retry", "failed", "cancelled", "released" (too little lease left to
    start a send), "held" (the gateway phone's budget is spent for now) or "lost" (the lease
    went to another worker meanwhile). A settled row, once committed, wakes whoever waits
    for replies (the simulator, `flask sms`).
    """
    outcome = _deliver(db, row, transport, owner)
    if outcome in SETTLED and getattr(db, "file_path", None):
        wake.notify(db.file_path, wake.REPLIES)
    return outcome


def _deliver(db, row, transport, owner):
    """Send one leased row and record the result; the outcome (see deliver)."""
    expires = clock.parse(row["lease_expires_at"])
    if clock.now() >= expires - dt.timedelta(seconds=SEND_MARGIN_SECONDS):
        # A slow batch ate the lease: hand the row back untouched for the next pass.
        with transaction(db):
            released = attempts.finish(
                db, row, owner, status="pending", attempts=row["attempts"] - 1
            )
        return "released" if released else "lost"
    reason = _reason_not_to_send(db, row, getattr(transport, "name", None))
    if reason:
        with transaction(db):
            attempts.finish(db, row, owner, status="cancelled", last_error=reason)
        log.info("%s cancelled: %s", attempts.describe(row), reason)
        return "cancelled"
    name = getattr(transport, "name", None)
    config = getattr(transport, "config", None)
    message = outgoing(db, row, transport_name=name, config=config)
    notes = []
    if row["lookup_needed"]:
        try:
            found = transport.find(message)
        except Exception as error:  # noqa: BLE001 - a transport bug must not kill the worker
            failure = attempts.as_transport_error(row, error, ambiguous=True)
            return attempts.record_failure(db, row, owner, failure, step="lookup")
        if found is not None:
            log.info(
                "%s was already at the provider (%s)", attempts.describe(row), found.provider_id
            )
            return attempts.record_sent(db, row, owner, found, [("lookup", "found", found)])
        notes.append(("lookup", "not_found", None))
    if name == "gateway":
        limit = config.get("SMS_GATEWAY_PARTS_PER_MINUTE") or gateway_budget.PARTS_PER_MINUTE
        device, held = gateway_budget.claim(db, row, owner, limit)
        if held:
            return "held"  # every phone's budget for this minute is spent
        if device is not None:
            message = dataclasses.replace(
                message, channel_id=device["id"], gateway=channels.gateway_account(device, config)
            )
    try:
        result = transport.send(message)
    except Exception as error:  # noqa: BLE001 - a transport bug must not kill the worker
        failure = attempts.as_transport_error(row, error, ambiguous=True)
        return attempts.record_failure(db, row, owner, failure, step="send", notes=notes)
    return attempts.record_sent(db, row, owner, result, [*notes, ("send", "accepted", result)])
