"""A sending budget per gateway phone, and which phone of a commune's pool sends a message.

Android counts the SMS parts an app sends and, past 30 in 60 s (AOSP SmsUsageMonitor,
DEFAULT_SMS_MAX_COUNT and DEFAULT_SMS_CHECK_PERIOD; a phone's settings
sms_outgoing_check_max_count and sms_outgoing_check_interval_ms change them), shows a
confirmation dialog and sends nothing more until a person taps it (android-sms-gateway
issues #91 and #81). An unattended gateway phone then stops. So the outbox hands each
device at most SMS_GATEWAY_PARTS_PER_MINUTE parts in any 60 s (25 by default, under
Android's 30), counting a long message once per part, and keeps URGENT_RESERVE of them for
urgent messages (answers to a resident, changes to a visit): a burst of reminders is spread
over the following minutes instead of blocking them.

A commune may have several phones (one per team member): each message goes through one of
them, the one with the most of its minute left, skipping a phone that has stopped sending.
"""

import datetime as dt

from app import channels
from app.infra import clock
from app.language.texts import segments
from db import insert, transaction

PARTS_PER_MINUTE = 25
WINDOW = dt.timedelta(seconds=60)
# Parts of each minute only urgent messages may use.
URGENT_RESERVE = 5
# Answers to what a resident just did, and changes to a booked visit, go before reminders.
URGENT_KINDS = frozenset({"reply", "voice_copy", "rescheduled", "cancelled"})
# A phone holding a message it accepted this long ago and never sent has stopped sending.
STALL_AFTER = dt.timedelta(minutes=5)


def parts(body):
    """How many SMS parts BODY takes (each counts against Android's limit)."""
    return max(1, segments(body or "").count)


def stalled_on(db, channel_id, now):
    """Tell whether device CHANNEL_ID holds a message it accepted STALL_AFTER ago and never sent."""
    return bool(
        db.execute(
            "SELECT 1 FROM outbox o JOIN messages m"
            " ON m.provider = 'gateway' AND m.provider_id = o.provider_id"
            " WHERE o.channel_id = :channel_id AND o.status = 'sent' AND m.status = 'queued'"
            " AND o.sent_at <= :stalled_since LIMIT 1",
            {"channel_id": channel_id, "stalled_since": clock.iso(now - STALL_AFTER)},
        ).fetchone()
    )


def _candidates(db, row, now):
    """ROW's commune's devices to try, best first: live ones, not the one it just failed on."""
    pool = channels.senders(db, row["commune_id"])
    # A retry after a send the device refused tries the next phone; a message moved off a
    # silent phone never goes back to it.
    shunned = {row.get("avoid_channel_id")}
    if row["attempts"] > 1 and row.get("channel_id"):
        shunned.add(row["channel_id"])
    live = [d for d in pool if d["id"] not in shunned and not stalled_on(db, d["id"], now)]
    return live or [d for d in pool if d["id"] != row.get("avoid_channel_id")] or pool


def used(db, channel_id, now=None):
    """Parts handed to CHANNEL_ID in the last minute, and when the oldest of them leaves it."""
    now = now or clock.now()
    since = clock.iso(now - WINDOW)
    total, oldest = db.execute(
        "SELECT coalesce(sum(parts), 0), min(at) FROM gateway_sends"
        " WHERE channel_id = :channel_id AND at > :since",
        {"channel_id": channel_id, "since": since},
    ).fetchone()
    return total, (clock.parse(oldest) + WINDOW if oldest else now)


def take(db, row, *, limit=PARTS_PER_MINUTE, now=None):
    """Pick the device for outbox ROW and count its parts, or say when to try again.

    Call inside a write transaction (BEGIN IMMEDIATE), so workers count one after another.
    Returns (device row, None) when the row may go now through that device (its parts are
    recorded and the row remembers the device), (None, UTC datetime) when every device's
    budget is spent, and (None, None) when the commune has no device to send from.
    """
    now = now or clock.now()
    needed = parts(row["body"])
    allowed = limit if row["kind"] in URGENT_KINDS else max(1, limit - URGENT_RESERVE)
    soonest = None
    # The phone with the most of its minute left goes first.
    usage = [(used(db, device["id"], now), device) for device in _candidates(db, row, now)]
    for (total, frees_at), device in sorted(usage, key=lambda pair: pair[0][0]):
        if total and total + needed > allowed:
            soonest = frees_at if soonest is None else min(soonest, frees_at)
            continue
        insert(
            db,
            "gateway_sends",
            {
                "commune_id": row["commune_id"],
                "channel_id": device["id"],
                "outbox_id": row["id"],
                "parts": needed,
                "at": clock.iso(now),
            },
        )
        db.execute(
            "UPDATE outbox SET channel_id = :channel_id WHERE id = :id",
            {"channel_id": device["id"], "id": row["id"]},
        )
        # Sends older than the window are not needed any more.
        db.execute(
            "DELETE FROM gateway_sends WHERE channel_id = :channel_id AND at <= :before",
            {"channel_id": device["id"], "before": clock.iso(now - 10 * WINDOW)},
        )
        return device, None
    if soonest is None:
        return None, None
    return None, max(soonest, now + dt.timedelta(seconds=1))


def correct_parts(db, outbox_id, parts_count):
    """Count outbox row OUTBOX_ID as the PARTS_COUNT parts its phone reported splitting it into.

    The budget counts parts with our own GSM-7/UCS-2 rules before sending; the phone's
    sms:sent says how many parts Android made (divideMessage), which is what its limit counts.
    """
    db.execute(
        "UPDATE gateway_sends SET parts = :parts WHERE outbox_id = :outbox_id"
        " AND channel_id = (SELECT channel_id FROM outbox WHERE id = :outbox_id)",
        {"parts": parts_count, "outbox_id": outbox_id},
    )


def stalled(db, *, after=STALL_AFTER, now=None, commune_id=None, channel_id=None):
    """Messages a phone accepted but has not sent for AFTER: (count, oldest accepted at).

    Of COMMUNE_ID's phones, or of device CHANNEL_ID, when given. The phone's dialog, a dead
    SIM or a phone asleep all look the same from here: messages accepted (queued) and never
    reported sent while more wait.
    """
    now = now or clock.now()
    scope = "".join(
        f" AND o.{column} = :{column}"
        for column, value in (("commune_id", commune_id), ("channel_id", channel_id))
        if value is not None
    )
    found = db.execute(
        "SELECT count(*), min(o.sent_at) FROM outbox o JOIN messages m"
        " ON m.provider = 'gateway' AND m.provider_id = o.provider_id"
        " WHERE o.status = 'sent' AND o.provider = 'gateway' AND m.status = 'queued'"
        " AND o.sent_at <= :before" + scope,
        {
            "before": clock.iso(now - after),
            "commune_id": commune_id,
            "channel_id": channel_id,
        },
    ).fetchone()
    return found[0], found[1]


def claim(db, row, owner, limit=PARTS_PER_MINUTE):
    """Choose leased ROW's device and count it against that phone's budget.

    Returns (device row, False) when the row may be sent now through that device,
    (None, True) when it was handed back (pending again, due when a budget frees, the
    attempt not counted), and (None, False) when the commune has no device to send from.
    """
    from app.delivery import attempts  # the outbox's own recorder, which imports this module

    with transaction(db):
        device, later = take(db, row, limit=limit)
        if later is None:
            return device, False
        attempts.finish(
            db,
            row,
            owner,
            status="pending",
            attempts=row["attempts"] - 1,
            next_attempt_at=clock.iso(later),
        )
    return None, True
