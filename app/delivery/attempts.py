"""Attempts at an outbound message: each try's outcome, recorded with the row it changes.

The outbox leases a row and calls the transport; this module writes what happened, in one
transaction and only while the caller still holds the lease: the row's new status or next
attempt, the SMS log entry of a sent message, and one outbox_attempts row per step (a
lookup, a send), which the request and Messages pages show.
"""

import datetime as dt
import logging

from app import residents
from app.delivery import messages, transports
from app.delivery.transports import TransportError
from app.infra import clock
from app.infra.logs import mask_phone, redact
from db import in_list, insert, rows, transaction, update

log = logging.getLogger(__name__)

BACKOFF_MINUTES = (1, 5, 15, 60)
MAX_ATTEMPTS = len(BACKOFF_MINUTES) + 1
# A provider that is not set up (no device, bad credentials) does not use up a message's
# attempts: it is retried this often until staff fix it, for up to a day.
SETUP_RETRY = dt.timedelta(minutes=5)
SETUP_GIVE_UP = dt.timedelta(days=1)


def describe(row):
    """One log line for an outbox row."""
    return f"outbox #{row['id']} {row['kind']} to {mask_phone(row['phone'])}"


def as_transport_error(row, error, *, ambiguous):
    """ERROR as a TransportError; an unexpected exception is logged and counts as AMBIGUOUS."""
    if isinstance(error, TransportError):
        return error
    log.exception("%s: transport raised", describe(row), exc_info=error)
    return TransportError(repr(error), ambiguous=ambiguous)


def finish(db, row, owner, **changes):
    """Apply CHANGES to ROW only while OWNER still holds its lease; tell whether it did."""
    assignments = ", ".join(f"{column} = :{column}" for column in changes)
    cursor = db.execute(
        f"UPDATE outbox SET {assignments}, lease_owner = NULL, lease_expires_at = NULL"
        " WHERE id = :id AND status = 'leased' AND lease_owner = :owner",
        {**changes, "id": row["id"], "owner": owner},
    )
    return cursor.rowcount == 1


def note(db, row, notes, stamp):
    """Store NOTES, [(action, outcome, Sent or None or detail text)], as ROW's attempts."""
    for action, outcome, about in notes:
        sent = about if isinstance(about, transports.Sent) else None
        insert(
            db,
            "outbox_attempts",
            {
                "outbox_id": row["id"],
                "attempt": row["attempts"],
                "at": stamp,
                "action": action,
                "outcome": outcome,
                "provider_id": sent.provider_id if sent else None,
                "status": sent.status if sent else None,
                "detail": (sent.detail if sent else about) or None,
            },
        )


def record_sent(db, row, owner, result, notes):
    """Mark ROW sent and add it to the SMS log, so delivery callbacks can update it."""
    stamp = clock.iso(clock.now())
    with transaction(db):
        if not finish(
            db,
            row,
            owner,
            status="sent",
            sent_at=stamp,
            provider=result.provider,
            provider_id=result.provider_id,
            last_error=None,
            lookup_needed=0,
        ):
            log.warning("%s: lease lost before recording; the new holder records it", describe(row))
            return "lost"
        note(db, row, notes, stamp)
        resident = db.execute(
            "SELECT id FROM residents WHERE commune_id = :commune_id AND phone = :phone",
            {"commune_id": row["commune_id"], "phone": row["phone"]},
        ).fetchone()
        message = messages.record_outbound(
            db,
            provider=result.provider,
            provider_id=result.provider_id,
            phone=row["phone"],
            body=row["body"],
            status=result.status,
            request_id=row["request_id"],
            resident_id=resident[0] if resident else None,
            outbox_id=row["id"],
            reply_to_id=row["reply_to_id"],
            intent=row["kind"],
        )
        update(db, "outbox", "id", row["id"], {"message_id": message["id"]})
    log.info("%s sent via %s (%s)", describe(row), result.provider, result.provider_id)
    return "sent"


def outcome_of(error):
    """The attempt outcome recorded for a failed call."""
    if error.setup:
        return "setup"
    return "ambiguous" if error.ambiguous else "error"


def record_failure(db, row, owner, error, *, step, notes=()):
    """Schedule the next attempt, or give up (permanent error, opt-out, or attempts used)."""
    now = clock.now()
    stamp = clock.iso(now)
    # A failed lookup leaves the question open; a send refused outright answers it.
    lookup_needed = 1 if (error.ambiguous or step == "lookup") else 0
    notes = [*notes, (step, outcome_of(error), str(error))]
    with transaction(db):
        if error.opted_out:
            resident = residents.by_phone(db, row["phone"])
            if resident and not resident["opted_out"]:
                residents.opt_out(db, resident["id"])
            done = finish(db, row, owner, status="cancelled", last_error=f"opted out ({error})")
            outcome = "cancelled"
        elif error.setup and now - clock.parse(row["created_at"]) < SETUP_GIVE_UP:
            done = finish(
                db,
                row,
                owner,
                status="pending",
                attempts=row["attempts"] - 1,
                next_attempt_at=clock.iso(now + SETUP_RETRY),
                last_error=str(error),
                lookup_needed=lookup_needed,
            )
            outcome = "retry"
        elif error.permanent or row["attempts"] >= MAX_ATTEMPTS or error.setup:
            done = finish(
                db,
                row,
                owner,
                status="failed",
                failed_at=stamp,
                last_error=str(error),
                lookup_needed=lookup_needed,
            )
            outcome = "failed"
        else:
            wait = dt.timedelta(minutes=BACKOFF_MINUTES[max(0, row["attempts"] - 1)])
            done = finish(
                db,
                row,
                owner,
                status="pending",
                next_attempt_at=clock.iso(now + wait),
                last_error=str(error),
                lookup_needed=lookup_needed,
            )
            outcome = "retry"
        if done:
            note(db, row, notes, stamp)
        else:
            outcome = "lost"
    # Twilio's error texts name the number ("The 'To' number +84... is not valid").
    log.warning("%s: %s %s (%s)", describe(row), step, redact(error), outcome)
    return outcome


def for_outbox(db, outbox_ids):
    """Return {outbox id: [attempt rows, oldest first]} for the staff pages."""
    ids = sorted({i for i in outbox_ids if i})
    if not ids:
        return {}
    marks, params = in_list("outbox_id", ids)
    found = {}
    for attempt in rows(
        db, f"SELECT * FROM outbox_attempts WHERE outbox_id IN ({marks}) ORDER BY id", params
    ):
        found.setdefault(attempt["outbox_id"], []).append(attempt)
    return found
