"""The voice channel's records: one row per call, and every step's TwiML for replays."""

import json

from app import communes
from app.infra import clock
from db import first, insert
from db import update as update_row

FINAL_CALL_STATUSES = {"completed", "busy", "no-answer", "failed", "canceled"}


def get(db, call_sid):
    """Return the call row for CALL_SID, or None."""
    return first(db, "SELECT * FROM calls WHERE call_sid = :call_sid", {"call_sid": call_sid})


def data(call):
    """Return a call row's JSON data as a dict."""
    return json.loads(call["data"] or "{}") if call else {}


def note(db, call_sid, *, phone, direction, language, resident_id=None):
    """Record that a call reached a step; create the row on its first step."""
    stamp = clock.iso(clock.now())
    # One statement: the first step creates the row, each later one counts itself.
    cursor = db.conn.execute(
        "INSERT INTO calls (commune_id, call_sid, phone, resident_id, direction, status,"
        " language, data, started_at, updated_at)"
        " VALUES (:commune_id, :call_sid, :phone, :resident_id, :direction, 'in-progress',"
        " :language, :data, :stamp, :stamp)"
        " ON CONFLICT (call_sid) DO UPDATE SET language = excluded.language,"
        " data = json_set(coalesce(data, '{}'), '$.steps',"
        " coalesce(json_extract(data, '$.steps'), 0) + 1), updated_at = excluded.updated_at"
        " RETURNING *",
        {
            "commune_id": communes.current_id(),
            "call_sid": call_sid,
            "phone": phone,
            "resident_id": resident_id,
            "direction": direction,
            "language": language,
            "data": json.dumps({"steps": 1}),
            "stamp": stamp,
        },
    )
    keys = [column[0] for column in cursor.description]
    # fetchall: the statement must run to its end before the transaction can commit.
    return dict(zip(keys, cursor.fetchall()[0], strict=True))


def note_status(db, call_sid, status, *, phone=None, direction=None):
    """Record a call status callback; a final status also stamps the end."""
    stamp = clock.iso(clock.now())
    insert(
        db,
        "calls",
        {
            "commune_id": communes.current_id(),
            "call_sid": call_sid,
            "phone": phone,
            "direction": direction,
            "status": status,
            "language": "vi",
            "data": json.dumps({"steps": 0}),
            "started_at": stamp,
            "updated_at": stamp,
        },
        ignore=True,
    )
    changes = {"status": status, "updated_at": stamp}
    if status in FINAL_CALL_STATUSES:
        changes["ended_at"] = stamp
    update_row(db, "calls", "call_sid", call_sid, changes)
    return get(db, call_sid)


def step_key(call_sid, step, digits):
    """Return the idempotency key of one step: call, step URL and the keys pressed."""
    return f"{call_sid}:{step}:{digits or ''}"


def replay(db, call_sid, step, digits):
    """Return the TwiML already given for this exact step, or None."""
    row = first(
        db,
        "SELECT twiml FROM call_steps WHERE key = :key",
        {"key": step_key(call_sid, step, digits)},
    )
    return row["twiml"] if row else None


def remember(db, call_sid, step, digits, twiml):
    """Store the TwiML given for a step so that a provider retry gets the same answer."""
    insert(
        db,
        "call_steps",
        {
            "key": step_key(call_sid, step, digits),
            "call_sid": call_sid,
            "step": step,
            "digits": digits or "",
            "twiml": twiml,
            "at": clock.iso(clock.now()),
        },
        ignore=True,
    )


def set_language(db, call_sid, language):
    """Remember the language the caller switched to."""
    update_row(
        db,
        "calls",
        "call_sid",
        call_sid,
        {"language": language, "updated_at": clock.iso(clock.now())},
    )
