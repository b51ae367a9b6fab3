"""Read queries behind the console pages: one query per list, joined, indexed, no N+1."""

import datetime as dt
import re

from app import clock, phones
from app import requests as queue
from app.texts import fold

PER_PAGE = 50
OPEN_STATUSES = ("new", "scheduled", "open")
OPEN_FILTERS = {"open", *OPEN_STATUSES}
ALL_STATUSES = (
    "new",
    "scheduled",
    "visited",
    "unreachable",
    "cancelled",
    "open",
    "answered",
    "closed",
)
KINDS = (queue.VISIT, queue.QUESTION)
CHANNELS = ("sms", "voice", "staff", "api")

REQUEST_COLUMNS = """
    r.id, r.ref, r.kind, r.service_code, r.status, r.channel, r.priority, r.description,
    r.requested_at, r.updated_at, r.recording_url, r.recording_duration, r.trip_id,
    r.hamlet_id, r.resident_id, r.status_notes, r.expected_datetime,
    res.phone, res.name AS resident_name, res.flagged_at,
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
        where.append("r.status IN ('new', 'scheduled', 'open')")
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
        if queue.is_ref(ref):
            clauses.append("r.ref = ?")
            params.append(ref)
        if ids:
            clauses.append(f"r.resident_id IN ({', '.join('?' * len(ids))})")
            params.extend(ids)
        where.append("(" + " OR ".join(clauses) + ")" if clauses else "0")
    sql = f"SELECT {REQUEST_COLUMNS} {REQUEST_JOINS}"
    if where:
        sql += " WHERE " + " AND ".join(where)
    # Open work is a small set: fetch it by status and sort it ("+" keeps SQLite off the
    # requested_at index, which would walk the whole closed history to reach page 20).
    # Closed statuses are most of the table, so the requested_at index serves them best.
    order = "+r.requested_at" if status in OPEN_FILTERS else "r.requested_at"
    sql += f" ORDER BY {order} DESC, r.id DESC LIMIT ? OFFSET ?"
    # One extra row tells whether a next page exists without counting the whole table.
    params.extend([per_page + 1, (max(page, 1) - 1) * per_page])
    rows = list(db.query(sql, params))
    return rows[:per_page], len(rows) > per_page


def _section(db, where, params=(), limit=10, order="r.requested_at"):
    """Return {"count", "rows"} for one "needs attention" list."""
    count = db.execute(f"SELECT count(*) FROM requests r WHERE {where}", list(params)).fetchone()[0]
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
        "questions": _section(
            db, "r.status = 'open' AND r.kind = 'question' AND r.recording_url IS NULL", limit=limit
        ),
        "voice": _section(db, "r.status = 'open' AND r.recording_url IS NOT NULL", limit=limit),
        "no_hamlet": _section(
            db, "r.hamlet_id IS NULL AND r.status IN ('new', 'scheduled')", limit=limit
        ),
        "no_trip": _section(
            db,
            "r.status = 'new' AND r.hamlet_id IS NOT NULL AND r.trip_id IS NULL",
            limit=limit,
        ),
    }
    failed_count = db.execute("SELECT count(*) FROM outbox WHERE status = 'failed'").fetchone()[0]
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


def trips_with_load(db, trip_rows):
    """Attach hamlets (route order), per-hamlet booked counts and room left to TRIP_ROWS."""
    trips = [dict(row) for row in trip_rows]
    if not trips:
        return trips
    ids = [trip["id"] for trip in trips]
    marks = ", ".join("?" * len(ids))
    served = db.execute(
        "SELECT th.trip_id, h.id, h.name FROM trip_hamlets th JOIN hamlets h ON h.id = th.hamlet_id"
        f" WHERE th.trip_id IN ({marks}) ORDER BY h.route_order, h.id",
        ids,
    ).fetchall()
    counts = db.execute(
        "SELECT trip_id, hamlet_id, status, count(*) FROM requests"
        f" WHERE trip_id IN ({marks}) AND status IN ('scheduled', 'visited', 'unreachable')"
        " GROUP BY trip_id, hamlet_id, status",
        ids,
    ).fetchall()
    booked = {}
    done = {}
    for trip_id, hamlet_id, status, count in counts:
        booked[(trip_id, hamlet_id)] = booked.get((trip_id, hamlet_id), 0) + count
        if status != "scheduled":
            done[trip_id] = done.get(trip_id, 0) + count
    for trip in trips:
        trip["hamlets"] = [
            {"id": hamlet_id, "name": name, "booked": booked.get((trip["id"], hamlet_id), 0)}
            for trip_id, hamlet_id, name in served
            if trip_id == trip["id"]
        ]
        trip["booked"] = sum(
            count for (trip_id, _hamlet), count in booked.items() if trip_id == trip["id"]
        )
        trip["done"] = done.get(trip["id"], 0)
        trip["remaining"] = max((trip["capacity"] or 0) - trip["booked"], 0)
    return trips


def coming_trips(db, limit=6):
    """Return the next trips from today (cancelled ones too, marked), with their load."""
    today = clock.local_today().isoformat()
    rows = db.query(
        "SELECT * FROM trips WHERE date >= ? ORDER BY date, starts_at LIMIT ?", [today, limit]
    )
    return trips_with_load(db, rows)


def recent_trips(db, limit=8):
    """Return the latest past trips, most recent first, with their load."""
    today = clock.local_today().isoformat()
    rows = db.query(
        "SELECT * FROM trips WHERE date < ? ORDER BY date DESC, starts_at DESC LIMIT ?",
        [today, limit],
    )
    return trips_with_load(db, rows)


def planned_trips(db, hamlet_id=None, weeks=8):
    """Return planned trips from now on (optionally those serving HAMLET_ID), soonest first."""
    start = clock.iso(clock.now())
    end = clock.iso(clock.now() + dt.timedelta(weeks=weeks))
    if hamlet_id:
        rows = db.query(
            "SELECT t.* FROM trips t JOIN trip_hamlets th ON th.trip_id = t.id"
            " WHERE th.hamlet_id = ? AND t.status = 'planned' AND t.starts_at > ?"
            " AND t.starts_at < ? ORDER BY t.starts_at",
            [hamlet_id, start, end],
        )
    else:
        rows = db.query(
            "SELECT * FROM trips WHERE status = 'planned' AND starts_at > ? AND starts_at < ?"
            " ORDER BY starts_at",
            [start, end],
        )
    return trips_with_load(db, rows)


def trip_choices(db, weeks=8):
    """Return recent and coming trips for the queue's trip filter."""
    since = (clock.local_today() - dt.timedelta(weeks=2)).isoformat()
    until = (clock.local_today() + dt.timedelta(weeks=weeks)).isoformat()
    return list(
        db.query(
            "SELECT id, date, session, status FROM trips WHERE date >= ? AND date <= ?"
            " ORDER BY date, starts_at",
            [since, until],
        )
    )


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
            "  AND r.status IN ('new', 'scheduled', 'open')) AS open_requests"
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


def messages_page(db, direction=None, failed_only=False, phone=None, page=1, per_page=PER_PAGE):
    """Return (rows, has_next) from the SMS log, newest first, with resident names."""
    where, params = [], []
    if direction in ("in", "out"):
        where.append("m.direction = ?")
        params.append(direction)
    if failed_only:
        where.append("m.status IN ('failed', 'undelivered')")
    if phone:
        where.append("m.phone = ?")
        params.append(phone)
    sql = (
        "SELECT m.*, res.name AS resident_name, res.id AS resident_id, r.ref AS request_ref,"
        " o.status AS outbox_status"
        " FROM messages m LEFT JOIN residents res ON res.phone = m.phone"
        " LEFT JOIN requests r ON r.id = m.request_id"
        " LEFT JOIN outbox o ON o.id = m.outbox_id"
    )
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY m.id DESC LIMIT ? OFFSET ?"
    rows = list(db.query(sql, [*params, per_page + 1, (max(page, 1) - 1) * per_page]))
    return rows[:per_page], len(rows) > per_page


def outbox_counts(db):
    """Return the number of outbox rows per status."""
    return dict(db.execute("SELECT status, count(*) FROM outbox GROUP BY status").fetchall())


def trip_requests_for_move(db, request):
    """Return the planned trips a request can move to (those serving its hamlet)."""
    return planned_trips(db, request["hamlet_id"]) if request["hamlet_id"] else []


def rule_hamlet_ids(db):
    """Return {rule_id: [hamlet ids]} for every schedule rule."""
    mapping = {}
    for rule_id, hamlet_id in db.execute("SELECT rule_id, hamlet_id FROM rule_hamlets").fetchall():
        mapping.setdefault(rule_id, []).append(hamlet_id)
    return mapping


def all_hamlets(db):
    """Return every hamlet (active or not) in route order."""
    return list(db.query("SELECT * FROM hamlets ORDER BY route_order, id"))


def all_users(db):
    """Return every staff account (without password hashes), by username."""
    return list(
        db.query(
            "SELECT id, username, display_name, role, active, language, created_at,"
            " last_login_at FROM staff_users ORDER BY username"
        )
    )


def outbox_row(db, outbox_id):
    """Return one outbox row, or None."""
    rows = list(db.query("SELECT * FROM outbox WHERE id = ?", [outbox_id]))
    return rows[0] if rows else None
