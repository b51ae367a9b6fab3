"""A sending budget per gateway phone: parts a minute, urgent messages first.

Android counts the SMS parts an app sends and, past 30 in 60 s (AOSP SmsUsageMonitor,
DEFAULT_SMS_MAX_COUNT and DEFAULT_SMS_CHECK_PERIOD; a phone's settings
sms_outgoing_check_max_count and sms_outgoing_check_interval_ms change them), shows a
confirmation dialog and sends nothing more until a person taps it (android-sms-gateway
issues #91 and #81). An unattended gateway phone then stops. So the outbox hands each
device at most SMS_GATEWAY_PARTS_PER_MINUTE parts in any 60 s (25 by default, under
Android's 30), counting a long message once per part, and keeps URGENT_RESERVE of them for
urgent messages (answers to a resident, changes to a visit): a burst of reminders is spread
over the following minutes instead of blocking them.
"""

import datetime as dt

from app.infra import clock
from app.language.texts import segments
from db import first, insert, transaction

PARTS_PER_MINUTE = 25
WINDOW = dt.timedelta(seconds=60)
# Parts of each minute only urgent messages may use.
URGENT_RESERVE = 5
# Answers to what a resident just did, and changes to a booked visit, go before reminders.
URGENT_KINDS = frozenset({"reply", "voice_copy", "rescheduled", "cancelled"})


def parts(body):
    """How many SMS parts BODY takes (each counts against Android's limit)."""
    return max(1, segments(body or "").count)


def device_for(db, commune_id):
    """The gateway channel (device) a commune's messages leave through, or None."""
    row = first(
        db,
        "SELECT id FROM channels WHERE kind = 'gateway' AND commune_id = ?"
        " ORDER BY is_default DESC, id LIMIT 1",
        [commune_id],
    )
    return row["id"] if row else None


def used(db, channel_id, now=None):
    """Parts handed to CHANNEL_ID in the last minute, and when the oldest of them leaves it."""
    now = now or clock.now()
    since = clock.iso(now - WINDOW)
    total, oldest = db.execute(
        "SELECT coalesce(sum(parts), 0), min(at) FROM gateway_sends"
        " WHERE channel_id = ? AND at > ?",
        [channel_id, since],
    ).fetchone()
    return total, (clock.parse(oldest) + WINDOW if oldest else now)


def take(db, row, *, limit=PARTS_PER_MINUTE, now=None):
    """Count outbox ROW against its device's budget, or return when to try it again.

    Call inside a write transaction (BEGIN IMMEDIATE), so workers count one after another.
    Returns None when the row may go now (its parts are recorded), else a UTC datetime.
    """
    now = now or clock.now()
    channel_id = device_for(db, row["commune_id"])
    if channel_id is None:
        return None
    needed = parts(row["body"])
    allowed = limit if row["kind"] in URGENT_KINDS else max(1, limit - URGENT_RESERVE)
    total, frees_at = used(db, channel_id, now)
    if total and total + needed > allowed:
        return max(frees_at, now + dt.timedelta(seconds=1))
    insert(
        db,
        "gateway_sends",
        {
            "commune_id": row["commune_id"],
            "channel_id": channel_id,
            "outbox_id": row["id"],
            "parts": needed,
            "at": clock.iso(now),
        },
    )
    # Sends older than the window are not needed any more.
    db.execute(
        "DELETE FROM gateway_sends WHERE channel_id = ? AND at <= ?",
        [channel_id, clock.iso(now - 10 * WINDOW)],
    )
    return None


def stalled(db, *, after=dt.timedelta(minutes=5), now=None):
    """Messages the phone accepted but has not sent for AFTER: (count, oldest accepted at).

    The phone's dialog, a dead SIM or a phone asleep all look the same from here: messages
    accepted (queued) and never reported sent while more wait.
    """
    now = now or clock.now()
    found = db.execute(
        "SELECT count(*), min(o.sent_at) FROM outbox o JOIN messages m"
        " ON m.provider = 'gateway' AND m.provider_id = o.provider_id"
        " WHERE o.status = 'sent' AND o.provider = 'gateway' AND m.status = 'queued'"
        " AND o.sent_at <= ?",
        [clock.iso(now - after)],
    ).fetchone()
    return found[0], found[1]


def hold_if_over(db, row, owner, limit=PARTS_PER_MINUTE):
    """Count leased ROW against its device's budget; over it, hand the row back for later.

    Returns True when the row was handed back (pending again, due when the budget frees,
    the attempt not counted), False when it may be sent now.
    """
    from app.delivery import attempts  # the outbox's own recorder, which imports this module

    with transaction(db):
        later = take(db, row, limit=limit)
        if later is None:
            return False
        attempts.finish(
            db,
            row,
            owner,
            status="pending",
            attempts=row["attempts"] - 1,
            next_attempt_at=clock.iso(later),
        )
    return True
