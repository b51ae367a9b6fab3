"""The lists of requests and residents staff read: one query per list, joined, indexed, no N+1.

Every query names :commune_id and runs through communes.scoped_rows, which refuses SQL
without it: a list, a search or a page of one commune never reads another commune's rows.
"""

import re

from app import communes
from app.delivery import delivery_states
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
from app.request_queue import follow_ups, service_requests

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


def _marks(prefix, values):
    """Named placeholders ":p0, :p1, ..." for VALUES and their parameters."""
    names = {f"{prefix}{index}": value for index, value in enumerate(values)}
    return ", ".join(f":{name}" for name in names), names


def resident_ids_matching(db, commune, text):
    """Return the ids of COMMUNE's residents whose phone or name matches TEXT."""
    text = (text or "").strip()
    if not text:
        return []
    e164, digits = _phone_pattern(text)
    sql = "SELECT id FROM residents WHERE commune_id = :commune_id AND "
    if e164:
        found = communes.scoped_rows(db, commune, sql + "phone = :phone", {"phone": e164})
        if found:
            return [row["id"] for row in found]
    if digits:
        found = communes.scoped_rows(
            db, commune, sql + "phone LIKE :pattern LIMIT 500", {"pattern": f"%{digits}%"}
        )
        return [row["id"] for row in found]
    folded = fold(text)
    if not folded:
        return []
    found = communes.scoped_rows(
        _with_fold(db),
        commune,
        sql + "fold(name) LIKE :pattern LIMIT 500",
        {"pattern": f"%{folded}%"},
    )
    return [row["id"] for row in found]


def queue_page(db, commune, filters, page=1, per_page=PER_PAGE):
    """Return (rows, has_next) for COMMUNE's queue list under FILTERS, newest first."""
    where, params = ["r.commune_id = :commune_id"], {}
    status = filters.get("status") or "open"
    if status == "open":
        where.append(f"r.status IN {sql_list(ALL_OPEN_STATUSES)}")
    elif status in ALL_STATUSES:
        where.append("r.status = :status")
        params["status"] = status
    if filters.get("kind") in KINDS:
        where.append("r.kind = :kind")
        params["kind"] = filters["kind"]
    if filters.get("channel") in CHANNELS:
        where.append("r.channel = :channel")
        params["channel"] = filters["channel"]
    hamlet = filters.get("hamlet")
    if hamlet == "none":
        where.append("r.hamlet_id IS NULL")
    elif isinstance(hamlet, int):
        where.append("r.hamlet_id = :hamlet")
        params["hamlet"] = hamlet
    if isinstance(filters.get("trip"), int):
        where.append("r.trip_id = :trip")
        params["trip"] = filters["trip"]
    search = (filters.get("q") or "").strip()
    if search:
        ref = search.upper()
        ids = resident_ids_matching(db, commune, search)
        clauses = []
        if service_requests.is_ref(ref):
            clauses.append("r.ref = :ref")
            params["ref"] = ref
        if ids:
            marks, named = _marks("res", ids)
            clauses.append(f"r.resident_id IN ({marks})")
            params.update(named)
        where.append("(" + " OR ".join(clauses) + ")" if clauses else "0")
    sql = f"SELECT {REQUEST_COLUMNS} {REQUEST_JOINS} WHERE " + " AND ".join(where)
    if status in OPEN_FILTERS:
        sql += f" ORDER BY {open_work_order()}, r.id LIMIT :limit OFFSET :offset"
    else:
        # Closed statuses are most of the table: the requested_at index serves them best.
        sql += " ORDER BY r.requested_at DESC, r.id DESC LIMIT :limit OFFSET :offset"
    # One extra row tells whether a next page exists without counting the whole table.
    params.update(limit=per_page + 1, offset=(max(page, 1) - 1) * per_page)
    found = communes.scoped_rows(db, commune, sql, params)
    return found[:per_page], len(found) > per_page


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


def _section(db, commune, where, limit=10, order="r.requested_at"):
    """Return {"count", "rows"} for one "needs attention" list of COMMUNE."""
    where = f"r.commune_id = :commune_id AND ({where})"
    count = communes.scoped_first(
        db,
        commune,
        "SELECT count(*) AS n FROM requests r LEFT JOIN residents res ON res.id = r.resident_id"
        f" WHERE {where}",
    )["n"]
    found = []
    if count:
        found = communes.scoped_rows(
            db,
            commune,
            f"SELECT {REQUEST_COLUMNS} {REQUEST_JOINS} WHERE {where} ORDER BY {order} LIMIT :limit",
            {"limit": limit},
        )
    return {"count": count, "rows": found}


def needs_attention(db, commune, limit=10):
    """Return the lists COMMUNE's staff should look at first, each with its total count."""
    sections = {
        # Emergencies, pleas and long messages: a person reads them first
        # (app.request_queue.attention).
        "urgent": _section(
            db,
            commune,
            "r.attention IS NOT NULL",
            limit=limit,
            order="CASE r.attention WHEN 'emergency' THEN 0 WHEN 'distress' THEN 1 ELSE 2 END,"
            " r.attention_at",
        ),
        "questions": _section(
            db,
            commune,
            "r.status = 'open' AND r.kind = 'question' AND r.recording_url IS NULL",
            limit=limit,
        ),
        "voice": _section(
            db, commune, "r.status = 'open' AND r.recording_url IS NOT NULL", limit=limit
        ),
        "no_hamlet": _section(
            db,
            commune,
            f"r.hamlet_id IS NULL AND r.status IN {sql_list(OPEN_STATUSES[VISIT])}",
            limit=limit,
        ),
        "no_trip": _section(
            db,
            commune,
            "r.status = 'new' AND r.hamlet_id IS NOT NULL AND r.trip_id IS NULL",
            limit=limit,
        ),
        "unknown_callers": _section(
            db,
            commune,
            f"{UNKNOWN_CALLER} AND r.status IN {sql_list(OPEN_STATUSES[VISIT])}",
            limit=limit,
        ),
    }
    owed = follow_ups.open_list(db, commune, limit=limit)
    sections["follow_ups"] = {"count": follow_ups.open_count(db, commune), "rows": owed}
    failed_count = communes.scoped_first(
        db,
        commune,
        "SELECT count(*) AS n FROM outbox WHERE commune_id = :commune_id AND status = 'failed'",
    )["n"]
    sections["failed"] = {
        "count": failed_count,
        "rows": failed_outbox(db, commune, limit) if failed_count else [],
    }
    flagged_count = communes.scoped_first(
        db,
        commune,
        "SELECT count(*) AS n FROM residents"
        " WHERE commune_id = :commune_id AND flagged_at IS NOT NULL",
    )["n"]
    sections["flagged"] = {
        "count": flagged_count,
        "rows": communes.scoped_rows(
            db,
            commune,
            "SELECT res.*, h.name AS hamlet_name FROM residents res"
            " LEFT JOIN hamlets h ON h.id = res.hamlet_id"
            " WHERE res.commune_id = :commune_id AND res.flagged_at IS NOT NULL"
            " ORDER BY res.flagged_at DESC LIMIT :limit",
            {"limit": limit},
        )
        if flagged_count
        else [],
    }
    return sections


def request_row(db, commune, request_id):
    """Return one of COMMUNE's requests joined with its resident, hamlet and trip, or None."""
    return communes.scoped_first(
        db,
        commune,
        f"SELECT {REQUEST_COLUMNS} {REQUEST_JOINS}"
        " WHERE r.id = :request_id AND r.commune_id = :commune_id",
        {"request_id": request_id},
    )


def resident_row(db, commune, resident_id):
    """Return one of COMMUNE's residents, or None."""
    return communes.owned(db, commune, "residents", resident_id)


def residents_page(db, commune, text, page=1, per_page=PER_PAGE):
    """Return (rows, has_next): COMMUNE's residents matching TEXT (or all), with open requests."""
    params = {"limit": per_page + 1, "offset": (max(page, 1) - 1) * per_page}
    where = "res.commune_id = :commune_id"
    if (text or "").strip():
        ids = resident_ids_matching(db, commune, text)
        if not ids:
            return [], False
        marks, named = _marks("res", ids)
        where += f" AND res.id IN ({marks})"
        params.update(named)
    found = communes.scoped_rows(
        db,
        commune,
        "SELECT res.*, h.name AS hamlet_name,"
        " (SELECT count(*) FROM requests r WHERE r.resident_id = res.id"
        f"  AND r.status IN {sql_list(ALL_OPEN_STATUSES)}) AS open_requests"
        " FROM residents res LEFT JOIN hamlets h ON h.id = res.hamlet_id"
        f" WHERE {where} ORDER BY res.name IS NULL, res.name, res.id LIMIT :limit OFFSET :offset",
        params,
    )
    return found[:per_page], len(found) > per_page


def resident_requests(db, commune, resident_id, limit=100):
    """Return a resident's requests in COMMUNE, newest first."""
    return communes.scoped_rows(
        db,
        commune,
        f"SELECT {REQUEST_COLUMNS} {REQUEST_JOINS}"
        " WHERE r.commune_id = :commune_id AND r.resident_id = :resident_id"
        " ORDER BY r.requested_at DESC, r.id DESC LIMIT :limit",
        {"resident_id": resident_id, "limit": limit},
    )


def failed_outbox(db, commune, limit=50, offset=0):
    """Return COMMUNE's outbound messages that gave up, newest first, with the resident's name."""
    return communes.scoped_rows(
        db,
        commune,
        "SELECT o.*, res.name AS resident_name, res.id AS resident_id, r.ref,"
        f" {delivery_states.PARTS_COLUMNS} FROM outbox o"
        " LEFT JOIN residents res ON res.phone = o.phone AND res.commune_id = o.commune_id"
        " LEFT JOIN requests r ON r.id = o.request_id"
        f" LEFT JOIN {delivery_states.OUTBOX_PARTS_JOIN}"
        " WHERE o.commune_id = :commune_id AND o.status = 'failed'"
        " ORDER BY o.id DESC LIMIT :limit OFFSET :offset",
        {"limit": limit, "offset": offset},
    )
