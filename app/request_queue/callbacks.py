"""Call-backs: the commune phones a resident and the same voice menu answers them.

Staff (or a missed-call trigger) ask for a call-back; the worker places it through the Twilio
REST client. A busy, unanswered or failed call is retried up to 3 times, after 15 minutes,
1 hour and 3 hours, and never in the commune's quiet hours (the settings page; 20:00–07:00
unless an admin changes them), the same hours that hold proactive SMS. The REST call is never made
inside a database transaction: a row is claimed in one, the call placed, the result stored in
another.
"""

import datetime as dt
import logging

import requests as http
from twilio.base.exceptions import TwilioException

from app import channels, communes, lifecycle
from app.catalogue import quiet_hours
from app.infra import clock
from app.infra.config import LOCAL_ACCOUNT_SID
from app.infra.logs import mask_phone, redact
from app.infra.twilio_rest import rest_client
from app.language import phones
from db import transaction

log = logging.getLogger(__name__)

RETRY_DELAYS = (dt.timedelta(minutes=15), dt.timedelta(hours=1), dt.timedelta(hours=3))
MAX_ATTEMPTS = 1 + len(RETRY_DELAYS)
UNANSWERED = {"busy", "no-answer", "failed", "canceled"}
ANSWERED = {"completed"}
# A claimed row whose call was never placed (the worker died in between) is freed after this.
STALE_CLAIM = dt.timedelta(minutes=10)
# A placed call whose status callback has not come after this is asked about at Twilio;
# one Twilio still reports ringing or in progress is waited for, up to LIVE_CALL_LIMIT.
STUCK_CALL = dt.timedelta(minutes=15)
LIVE_CALL_LIMIT = dt.timedelta(hours=1)
LIVE = {"queued", "initiated", "ringing", "in-progress"}
# A "missed call": the caller hung up at the greeting, often to save the cost of the call.
MISSED_CALL_SECONDS = 20
MISSED_CALL_QUIET = dt.timedelta(hours=6)  # one ring-back per phone in this span
FINAL_INBOUND = {"completed", "busy", "no-answer", "canceled", "failed"}


def into_window(db, moment):
    """Return MOMENT, or the end of the commune's quiet hours when it falls inside them."""
    return quiet_hours.next_allowed(db, moment)


def get(db, callback_id):
    """Return a call-back row by id, or None."""
    rows = list(db["callbacks"].rows_where("id = :id", {"id": callback_id}))
    return rows[0] if rows else None


def by_call_sid(db, call_sid):
    """Return the call-back that placed CALL_SID, or None."""
    rows = list(
        db["callbacks"].rows_where(
            "call_sid = :call_sid", {"call_sid": call_sid}, order_by="id desc"
        )
    )
    return rows[0] if rows else None


def by_missed_call(db, call_sid):
    """Return the call-back a missed inbound call CALL_SID asked for, or None."""
    if not call_sid:
        return None
    found = list(
        db["callbacks"].rows_where("missed_call_sid = :call_sid", {"call_sid": call_sid}, limit=1)
    )
    return found[0] if found else None


def pending_for(db, phone):
    """Return the phone's call-back in the bound commune still waiting or ringing, or None."""
    rows = list(
        db["callbacks"].rows_where(
            "commune_id = :commune_id AND phone = :phone AND status IN ('pending', 'calling')",
            {"commune_id": communes.current_id(), "phone": phone},
            order_by="id",
            limit=1,
        )
    )
    return rows[0] if rows else None


def request_callback(db, phone, *, request_id=None, requested_by, missed_call_sid=None):
    """Queue a call-back to PHONE at the next allowed time; one per phone at a time.

    MISSED_CALL_SID is the inbound call that asked for it: one call-back per such call, ever.
    """
    e164 = phones.normalise(phone)
    with transaction(db):
        existing = pending_for(db, e164) or by_missed_call(db, missed_call_sid)
        if existing:
            return existing
        stamp = clock.now()
        callback_id = (
            db["callbacks"]
            .insert(
                {
                    "commune_id": communes.current_id(),
                    "phone": e164,
                    "request_id": request_id,
                    "requested_by": requested_by,
                    "missed_call_sid": missed_call_sid,
                    "status": "pending",
                    "attempts": 0,
                    "next_attempt_at": clock.iso(into_window(db, stamp)),
                    "created_at": clock.iso(stamp),
                    "updated_at": clock.iso(stamp),
                }
            )
            .last_pk
        )
        if request_id:
            lifecycle.record_event(
                db,
                request_id,
                "callback_requested",
                actor_type="staff" if requested_by != "system" else "system",
                actor=requested_by,
                channel="voice",
            )
        return get(db, callback_id)


def _in_its_commune(db, row):
    """Bind call-back ROW's commune: its quiet hours, its request's history."""
    return communes.bound(communes.by_id(db, row["commune_id"]))


def _claim_due(db, now):
    """Mark due call-backs as calling (one attempt more) and return them."""
    stamp = clock.iso(now)
    with transaction(db):
        stale = clock.iso(now - STALE_CLAIM)
        db.execute(
            "UPDATE callbacks SET status = 'pending', updated_at = :now "
            "WHERE status = 'calling' AND call_sid IS NULL AND updated_at < :stale",
            {"now": stamp, "stale": stale},
        )
        due = list(
            db["callbacks"].rows_where(
                "status = 'pending' AND next_attempt_at <= :now",
                {"now": stamp},
                order_by="next_attempt_at",
            )
        )
        claimed = []
        for row in due:
            with _in_its_commune(db, row):
                allowed = into_window(db, now)
            if allowed > now:
                # The worker was down through the evening: wait for the morning.
                db["callbacks"].update(
                    row["id"], {"next_attempt_at": clock.iso(allowed), "updated_at": stamp}
                )
                continue
            db["callbacks"].update(
                row["id"],
                {
                    "status": "calling",
                    "attempts": row["attempts"] + 1,
                    "call_sid": None,
                    "updated_at": stamp,
                },
            )
            claimed.append(get(db, row["id"]))
        return claimed


def _can_call(config):
    """Tell whether a Twilio account is configured (the embedded default has none)."""
    return config["TWILIO_ACCOUNT_SID"] != LOCAL_ACCOUNT_SID or bool(
        config.get("TWILIO_API_BASE_URL")
    )


def _fail_waiting(db, now):
    """Without a Twilio account, fail due call-backs at once so staff see why; return 0."""
    reason = "no Twilio account"
    stamp = clock.iso(now)
    with transaction(db):
        due = list(
            db["callbacks"].rows_where(
                "status = 'pending' AND next_attempt_at <= :now", {"now": stamp}
            )
        )
        for row in due:
            db["callbacks"].update(
                row["id"], {"status": "failed", "last_status": reason, "updated_at": stamp}
            )
            with _in_its_commune(db, row):
                _note_on_request(db, row, "callback_failed", note=reason)
    return 0


def _place_call(row, config, from_number=None):
    """Ask Twilio to ring the resident from FROM_NUMBER (the commune's); return the call SID.

    None calls from the first commune's default number (TWILIO_FROM_NUMBER).
    """
    base = config["PUBLIC_BASE_URL"]
    call = rest_client(config).calls.create(
        to=row["phone"],
        from_=from_number or config["TWILIO_FROM_NUMBER"],
        url=f"{base}/voice/incoming?mode=callback",
        status_callback=f"{base}/voice/status",
        status_callback_event=["completed"],
    )
    return call.sid


def _call_status(call_sid, config):
    """Ask Twilio for a call's status; None when Twilio has no such call or cannot say."""
    try:
        return rest_client(config).calls(call_sid).fetch().status
    except (TwilioException, http.RequestException, OSError) as exc:
        log.warning("status of call %s unknown: %s", call_sid, exc)
        return None


def reclaim_stuck(db, now, config):
    """Settle call-backs whose status callback never came; return how many were retried.

    A lost callback would keep the row in `calling`, and so block the phone's call-backs
    forever. Twilio is asked for the call's status first, so a call that was answered is
    not rung again; a call Twilio does not know, or cannot report, counts as unanswered.
    """
    stuck = list(
        db["callbacks"].rows_where(
            "status = 'calling' AND call_sid IS NOT NULL AND updated_at < :stuck_since",
            {"stuck_since": clock.iso(now - STUCK_CALL)},
        )
    )
    retried = 0
    for row in stuck:
        with _in_its_commune(db, row):
            retried += _reclaim(db, row, now, config)
    return retried


def _reclaim(db, row, now, config):
    """Settle one stuck call-back of the bound commune; return 1 if it was retried."""
    status = _call_status(row["call_sid"], config)
    if status in UNANSWERED or status in ANSWERED:
        record_call_status(db, row["call_sid"], status, now)
        return 0
    if status in LIVE and now - clock.parse(row["updated_at"]) < LIVE_CALL_LIMIT:
        return 0
    with transaction(db):
        current = get(db, row["id"])
        # A late callback may have settled it since we looked.
        if current["status"] != "calling" or current["call_sid"] != row["call_sid"]:
            return 0
        log.warning("call-back %s: no status for call %s", row["id"], row["call_sid"])
        _after_unanswered(db, current, f"no status callback ({status or 'unknown'})", now)
        return 1


def run_due_callbacks(db, config, now=None):
    """Place every due call-back (outside any transaction); return how many were placed.

    CONFIG is the app's configuration (the Twilio account and the public base URL).
    """
    now = now or clock.now()
    if not _can_call(config):
        return _fail_waiting(db, now)
    reclaim_stuck(db, now, config)
    placed = 0
    for row in _claim_due(db, now):
        # The events and notes a call-back writes belong to its commune.
        with communes.bound(communes.by_id(db, row["commune_id"])):
            placed += _place(db, row, now, config)
    return placed


def _place(db, row, now, config):
    """Place one claimed call-back in the bound commune; return 1 if the call went out."""
    if not channels.can_send(db, row["commune_id"], "twilio"):
        # Never ring a resident from another commune's number.
        with transaction(db):
            _after_unanswered(db, get(db, row["id"]), "no Twilio number", now)
        return 0
    try:
        call_sid = _place_call(row, config, channels.sending_number(db, row["commune_id"]))
    except (TwilioException, http.RequestException, OSError) as exc:
        log.warning(
            "call-back %s to %s failed: %s", row["id"], mask_phone(row["phone"]), redact(exc)
        )
        with transaction(db):
            _after_unanswered(db, get(db, row["id"]), "failed", now)
        return 0
    with transaction(db):
        db["callbacks"].update(
            row["id"],
            {"call_sid": call_sid, "last_status": "queued", "updated_at": clock.iso(now)},
        )
    return 1


def record_call_status(db, call_sid, status, now=None):
    """Apply a call status callback to the call-back that placed it; return the row or None."""
    now = now or clock.now()
    with transaction(db):
        row = by_call_sid(db, call_sid)
        # Only the current attempt moves the row, so a repeated callback changes nothing.
        if not row or row["status"] != "calling":
            return row
        if status in UNANSWERED:
            _after_unanswered(db, row, status, now)
        elif status in ANSWERED:
            db["callbacks"].update(
                row["id"],
                {"status": "completed", "last_status": status, "updated_at": clock.iso(now)},
            )
            _note_on_request(db, row, "callback_answered")
        else:
            db["callbacks"].update(row["id"], {"last_status": status})
        return get(db, row["id"])


def _after_unanswered(db, row, reason, now):
    """Schedule the next try after an unanswered attempt, or give up after the last one."""
    changes = {"last_status": reason, "updated_at": clock.iso(now)}
    if row["attempts"] < MAX_ATTEMPTS:
        delay = RETRY_DELAYS[row["attempts"] - 1]
        changes.update(status="pending", next_attempt_at=clock.iso(into_window(db, now + delay)))
    else:
        changes["status"] = "failed"
        _note_on_request(db, row, "callback_failed", note=reason)
    db["callbacks"].update(row["id"], changes)


def _note_on_request(db, row, action, note=None):
    """Add a call-back outcome to the related request's history, if there is one."""
    if row["request_id"]:
        lifecycle.record_event(
            db, row["request_id"], action, actor_type="system", channel="voice", note=note
        )


def callback_for_missed_call(db, call_sid, phone, status, duration=None):
    """Ring back a caller who hung up at the greeting; return the call-back, or None.

    Many elderly residents "beep" a number and wait to be called back. A call counts as
    missed when it ended before any menu step, opened nothing and lasted under 20 s.
    """
    if status not in FINAL_INBOUND or not phone or not phones.is_mobile(phone):
        return None
    # A replayed (or retried) status callback of the same call must not ring again.
    if by_missed_call(db, call_sid):
        return None
    if duration is not None and duration >= MISSED_CALL_SECONDS:
        return None
    if db["call_steps"].count_where("call_sid = :sid", {"sid": call_sid}) > 1:
        return None
    opened = db.execute(
        "SELECT 1 FROM requests WHERE source_key LIKE :pattern", {"pattern": f"voice:{call_sid}:%"}
    ).fetchone()
    if opened:
        return None
    since = clock.iso(clock.now() - MISSED_CALL_QUIET)
    recent = db.execute(
        "SELECT 1 FROM callbacks WHERE commune_id = :commune_id AND phone = :phone"
        " AND created_at > :since",
        {"commune_id": communes.current_id(), "phone": phone, "since": since},
    ).fetchone()
    if recent:
        return None
    return request_callback(db, phone, requested_by="missed-call", missed_call_sid=call_sid)
