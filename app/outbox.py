"""The outbox: proactive SMS written with the change that causes them, sent by the worker."""

import json
import logging
import secrets

from app import clock

log = logging.getLogger(__name__)


def enqueue(
    db, phone, body, *, kind, request_id=None, trip_id=None, dedupe_key=None, not_before=None
):
    """Queue one SMS to PHONE; a repeated DEDUPE_KEY queues nothing new."""
    stamp = clock.iso(clock.now())
    db["outbox"].insert(
        {
            "phone": phone,
            "body": body,
            "kind": kind,
            "request_id": request_id,
            "trip_id": trip_id,
            "dedupe_key": dedupe_key or f"{kind}:{secrets.token_hex(8)}",
            "status": "pending",
            "attempts": 0,
            "next_attempt_at": clock.iso(not_before) if not_before else stamp,
            "idempotency_key": secrets.token_hex(16),
            "created_at": stamp,
        },
        ignore=True,
    )


def backlog(db):
    """Count messages waiting to be sent (pending or leased)."""
    return db.execute(
        "SELECT count(*) FROM outbox WHERE status IN ('pending', 'leased')"
    ).fetchone()[0]


def describe(row):
    """One log line for an outbox row."""
    return json.dumps({"id": row["id"], "to": row["phone"], "kind": row["kind"]})


def send_due(db, limit=50):
    """Send due messages through the console transport (grows into the full sender)."""
    stamp = clock.iso(clock.now())
    with db.atomic():
        due = list(
            db["outbox"].rows_where(
                "status = 'pending' AND next_attempt_at <= ?", [stamp], order_by="id", limit=limit
            )
        )
        for row in due:
            log.info("SMS to %s: %s", row["phone"], row["body"])
            db["outbox"].update(
                row["id"], {"status": "sent", "sent_at": stamp, "provider": "console"}
            )
    return len(due)
