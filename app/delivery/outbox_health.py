"""How much the outbox holds: what waits, what gave up, and how long the oldest due message waited.

Health, metrics and the console read these; the outbox itself writes and sends.
"""

from app import communes, lifecycle
from app.catalogue import quiet_hours
from app.delivery.outbox import REACTIVE_KINDS
from app.infra import clock


def backlog(db):
    """Count messages waiting to be sent (pending or leased)."""
    return db.execute(
        f"SELECT count(*) FROM outbox WHERE status IN {lifecycle.sql_list(lifecycle.SMS_WAITING)}"
    ).fetchone()[0]


def failed_count(db):
    """Count messages that gave up and wait for staff."""
    return db.execute("SELECT count(*) FROM outbox WHERE status = 'failed'").fetchone()[0]


def oldest_due_wait(db, now=None):
    """Return how long (seconds) the longest-waiting due message has waited, or None.

    A message starts waiting when it becomes due: at its next attempt time, or for a
    proactive one held by quiet hours, when they end. Messages in backoff are not due.
    """
    now = now or clock.now()
    stamp = clock.iso(now)
    kinds = ", ".join(f"'{kind}'" for kind in sorted(REACTIVE_KINDS))
    due = (
        "((status = 'pending' AND next_attempt_at <= :now)"
        " OR (status = 'leased' AND lease_expires_at <= :now))"
    )
    found = db.execute(
        f"""
        SELECT commune_id, min(CASE WHEN kind IN ({kinds}) THEN next_attempt_at END),
               min(CASE WHEN kind NOT IN ({kinds}) THEN next_attempt_at END)
        FROM outbox WHERE {due} GROUP BY commune_id
        """,
        {"now": stamp},
    ).fetchall()
    since = []
    for commune_id, reactive, proactive in found:
        if reactive:
            since.append(clock.parse(reactive))
        if not proactive:
            continue
        # Each commune's quiet hours, in its own zone, hold its own proactive messages.
        with communes.bound(communes.by_id(db, commune_id)):
            if not quiet_hours.is_quiet(db, now):
                since.append(max(clock.parse(proactive), quiet_hours.last_opened(db, now)))
    if not since:
        return None
    return max(0.0, (now - min(since)).total_seconds())


def failed(db, limit=100):
    """Return the messages that gave up, newest first, for the staff console."""
    return list(db["outbox"].rows_where("status = 'failed'", order_by="id DESC", limit=limit))
