"""The lists of requests and residents staff read: one query per list, joined, indexed, no N+1."""

import re

from app.delivery import outbox_health
from app.language import phones
from app.language.texts import fold
from app.lifecycle import (
    ALL_OPEN_STATUSES,
    ALL_STATUSES,
    CHANNELS,
    KINDS,
    OPEN_STATUSES,
    VISIT,
    sql_list,
)
from app.request_queue import service_requests

PER_PAGE = 50
OPEN_FILTERS = {"open", *ALL_OPEN_STATUSES}

REQUEST_COLUMNS = """
    r.id, r.ref, r.kind, r.service_code, r.status, r.channel, r.priority, r.description,
    r.requested_at, r.updated_at, r.recording_url, r.recording_duration, r.trip_id,
    r.hamlet_id, r.resident_id, r.status_notes, r.expected_datetime, r.attention,
    res.phone, res.name AS resident_name, res.flagged_at,
    res.age_75_plus, res.lives_alone, res.limited_mobility,
    h.name AS hamlet_name, t.date AS trip_date, t.session AS trip_session,
    t.status AS trip_status
"""
REQUEST_JOINS = """
    FROM requests r
    LEFT JOIN residents res ON res.id = r.resident_id
    LEFT JOIN hamlets h ON h.id = r.hamlet_id
    LEFT JOIN trips t ON t.id = r.trip_id
"""


def _folded(value):
    """SQLite function: fold a name for accent-free matching."""
    return fold(value) if value else ""


def _with_fold(db):
    """Make fold() available to SQL on this connection."""
    db.register_function(_folded, name="fold", deterministic=True, replace=True)
    return db


def _phone_pattern(text):
    """Return an E.164 phone for a full number, or the digits for a partial match."""
    digits = re.sub(r"\D", "", text)
    if len(digits) < 3:
        return None, None
    try:
        return phones.normalise(text), None
    except phones.InvalidPhone:
        return None, digits.lstrip("0")


def resident_ids_matching(db, text):
    """Return the ids of residents whose phone or name matches TEXT."""
    text = (text or "").strip()
    if not text:
        return []
    e164, digits = _phone_pattern(text)
    if e164:
        rows = db.execute("SELECT id FROM residents WHERE phone = ?", [e164]).fetchall()
        if rows:
            return [row[0] for row in rows]
    if digits:
        rows = db.execute(
            "SELECT id FROM residents WHERE phone LIKE ? LIMIT 500", [f"%{digits}%"]
        ).fetchall()
        return [row[0] for row in rows]
    folded = fold(text)
    if not folded:
        return []
    rows = (
        _with_fold(db)
        .execute("SELECT id FROM residents WHERE fold(name) LIKE ? LIMIT 500", [f"%{folded}%"])
        .fetchall()
    )
    return [row[0] for row in rows]


def queue_page(db, filters, page=1, per_page=PER_PAGE):
    """Return (rows, has_next) for the queue list under FILTERS, newest first."""
    where, params = [], []
    status = filters.get("status") or "open"
    if status == "open":
        where.append(f"r.status IN {sql_list(ALL_OPEN_STATUSES)}")
    elif status in ALL_STATUSES:
        where.append("r.status = ?")
        params.append(status)
    if filters.get("kind") in KINDS:
        where.append("r.kind = ?")
        params.append(filters["kind"])
    if filters.get("channel") in CHANNELS:
        where.append("r.channel = ?")
        params.append(filters["channel"])
    hamlet = filters.get("hamlet")
    if hamlet == "none":
        where.append("r.hamlet_id IS NULL")
    elif isinstance(hamlet, int):
        where.append("r.hamlet_id = ?")
        params.append(hamlet)
    if isinstance(filters.get("trip"), int):
        where.append("r.trip_id = ?")
        params.append(filters["trip"])
    search = (filters.get("q") or "").strip()
    if search:
        ref = search.upper()
        ids = resident_ids_matching(db, search)
        clauses = []
        if service_requests.is_ref(ref):
            clauses.append("r.ref = ?")
            params.append(ref)
        if ids:
            clauses.append(f"r.resident_id IN ({', '.join('?' * len(ids))})")
            params.extend(ids)
        where.append("(" + " OR ".join(clauses) + ")" if clauses else "0")
    sql = f"SELECT {REQUEST_COLUMNS} {REQUEST_JOINS}"
    if where:
        sql += " WHERE " + " AND ".join(where)
    if status in OPEN_FILTERS:
        sql += f" ORDER BY {open_work_order()}, r.id LIMIT ? OFFSET ?"
    else:
        # Closed statuses are most of the table: the requested_at index serves them best.
        sql += " ORDER BY r.requested_at DESC, r.id DESC LIMIT ? OFFSET ?"
    # One extra row tells whether a next page exists without counting the whole table.
    params.extend([per_page + 1, (max(page, 1) - 1) * per_page])
    rows = list(db.query(sql, params))
    return rows[:per_page], len(rows) > per_page


# A home visit booked by a caller the system knows nothing about: no name, no need said.
UNKNOWN_CALLER = (
    "r.kind = 'visit' AND r.service_code = 'VISIT' AND res.name IS NULL"
    " AND coalesce(r.description, '') = '' AND r.recording_url IS NULL"
)
NEEDS_A_PERSON = (
    "(r.kind = 'question' AND r.status = 'open')"
    f" OR (r.hamlet_id IS NULL AND r.status IN {sql_list(OPEN_STATUSES[VISIT])})"
    f" OR ({UNKNOWN_CALLER} AND r.status IN {sql_list(OPEN_STATUSES[VISIT])})"
)


def open_work_order():
    """ORDER BY for open work: urgent first, then what needs a person, then visits without a
    trip, then by trip date (soonest first) and priority, then first come.

    Urgent is the understanding step's flag (requests.attention, app.request_queue.attention)
    no officer has marked read yet: an emergency, then a plea; a long message only needs a person.
    """
    # "+" keeps SQLite off the requested_at index: open work is a small set, sorted in memory.
    return (
        "CASE WHEN r.attention = 'emergency' THEN 0 WHEN r.attention = 'distress' THEN 1"
        f" WHEN r.attention IS NOT NULL OR {NEEDS_A_PERSON} THEN 2"
        " WHEN r.kind = 'visit' AND r.trip_id IS NULL THEN 3 ELSE 4 END,"
        " t.starts_at IS NULL, t.starts_at, r.priority DESC, +r.requested_at"
    )


def _section(db, where, params=(), limit=10, order="r.requested_at"):
    """Return {"count", "rows"} for one "needs attention" list."""
    count = db.execute(
        f"SELECT count(*) FROM requests r LEFT JOIN residents res ON res.id = r.resident_id"
        f" WHERE {where}",
        list(params),
    ).fetchone()[0]
    rows = []
    if count:
        rows = list(
            db.query(
                f"SELECT {REQUEST_COLUMNS} {REQUEST_JOINS} WHERE {where} ORDER BY {order} LIMIT ?",
                [*params, limit],
            )
        )
    return {"count": count, "rows": rows}


def needs_attention(db, limit=10):
    """Return the lists staff should look at first, each with its total count."""
    sections = {
        # Emergencies, pleas and long messages: a person reads them first
        # (app.request_queue.attention).
        "urgent": _section(
            db,
            "r.attention IS NOT NULL",
            limit=limit,
            order="CASE r.attention WHEN 'emergency' THEN 0 WHEN 'distress' THEN 1 ELSE 2 END,"
            " r.attention_at",
        ),
        "questions": _section(
            db, "r.status = 'open' AND r.kind = 'question' AND r.recording_url IS NULL", limit=limit
        ),
        "voice": _section(db, "r.status = 'open' AND r.recording_url IS NOT NULL", limit=limit),
        "no_hamlet": _section(
            db, f"r.hamlet_id IS NULL AND r.status IN {sql_list(OPEN_STATUSES[VISIT])}", limit=limit
        ),
        "no_trip": _section(
            db,
            "r.status = 'new' AND r.hamlet_id IS NOT NULL AND r.trip_id IS NULL",
            limit=limit,
        ),
        "unknown_callers": _section(
            db, f"{UNKNOWN_CALLER} AND r.status IN {sql_list(OPEN_STATUSES[VISIT])}", limit=limit
        ),
    }
    failed_count = outbox_health.failed_count(db)
    sections["failed"] = {
        "count": failed_count,
        "rows": failed_outbox(db, limit) if failed_count else [],
    }
    flagged_count = db.execute(
        "SELECT count(*) FROM residents WHERE flagged_at IS NOT NULL"
    ).fetchone()[0]
    sections["flagged"] = {
        "count": flagged_count,
        "rows": list(
            db.query(
                "SELECT res.*, h.name AS hamlet_name FROM residents res"
                " LEFT JOIN hamlets h ON h.id = res.hamlet_id"
                " WHERE res.flagged_at IS NOT NULL ORDER BY res.flagged_at DESC LIMIT ?",
                [limit],
            )
        )
        if flagged_count
        else [],
    }
    return sections


def request_row(db, request_id):
    """Return one request joined with its resident, hamlet and trip, or None."""
    rows = list(db.query(f"SELECT {REQUEST_COLUMNS} {REQUEST_JOINS} WHERE r.id = ?", [request_id]))
    return rows[0] if rows else None


def residents_page(db, text, page=1, per_page=PER_PAGE):
    """Return (rows, has_next): residents matching TEXT (or all), with open request counts."""
    params = []
    where = ""
    if (text or "").strip():
        ids = resident_ids_matching(db, text)
        if not ids:
            return [], False
        where = f"WHERE res.id IN ({', '.join('?' * len(ids))})"
        params.extend(ids)
    rows = list(
        db.query(
            "SELECT res.*, h.name AS hamlet_name,"
            " (SELECT count(*) FROM requests r WHERE r.resident_id = res.id"
            f"  AND r.status IN {sql_list(ALL_OPEN_STATUSES)}) AS open_requests"
            " FROM residents res LEFT JOIN hamlets h ON h.id = res.hamlet_id"
            f" {where} ORDER BY res.name IS NULL, res.name, res.id LIMIT ? OFFSET ?",
            [*params, per_page + 1, (max(page, 1) - 1) * per_page],
        )
    )
    return rows[:per_page], len(rows) > per_page


def resident_requests(db, resident_id, limit=100):
    """Return a resident's requests, newest first."""
    return list(
        db.query(
            f"SELECT {REQUEST_COLUMNS} {REQUEST_JOINS}"
            " WHERE r.resident_id = ? ORDER BY r.requested_at DESC, r.id DESC LIMIT ?",
            [resident_id, limit],
        )
    )


def failed_outbox(db, limit=50, offset=0):
    """Return outbound messages that gave up, newest first, with the resident's name."""
    return list(
        db.query(
            "SELECT o.*, res.name AS resident_name, res.id AS resident_id, r.ref"
            " FROM outbox o"
            " LEFT JOIN residents res ON res.phone = o.phone"
            " LEFT JOIN requests r ON r.id = o.request_id"
            " WHERE o.status = 'failed' ORDER BY o.id DESC LIMIT ? OFFSET ?",
            [limit, offset],
        )
    )
