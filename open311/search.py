"""Looking requests up: validated filters and paging, and one joined query per page."""

import datetime as dt
from dataclasses import dataclass, field

from app import communes
from app.infra import clock
from open311.services import find_service
from open311.spec import INTERNAL_STATUSES, ApiError

MAX_SPAN = dt.timedelta(days=90)
PAGE_SIZE, MAX_PAGE_SIZE, MAX_PAGE = 50, 500, 100_000
MAX_IDS = 500


@dataclass
class Query:
    """Validated filters and paging for GET requests."""

    refs: list = field(default_factory=list)
    service_codes: list = field(default_factory=list)
    statuses: list = field(default_factory=list)
    start: str = ""
    end: str = ""
    page: int = 1
    page_size: int = PAGE_SIZE


def _integer(params, name, default, low, high):
    """Read a whole-number parameter within [LOW, HIGH]."""
    raw = str(params.get(name) or "").strip()
    if not raw:
        return default
    if not raw.isascii() or not raw.isdigit() or not low <= int(raw) <= high:
        raise ApiError(400, f"{name} must be a whole number from {low} to {high}")
    return int(raw)


def _csv(params, name):
    """Split a comma-separated parameter into its non-empty parts."""
    return [part.strip() for part in str(params.get(name) or "").split(",") if part.strip()]


def parse_datetime(raw, name):
    """Parse a W3C datetime (a bare date or no offset means local time) into aware UTC."""
    text = str(raw or "").strip()
    try:
        if len(text) == 10:
            moment = dt.datetime.combine(dt.date.fromisoformat(text), dt.time())
        else:
            moment = dt.datetime.fromisoformat(text)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=clock.local_zone())
        moment = moment.astimezone(clock.UTC)
    except (ValueError, OverflowError):
        moment = None
    if moment is None or not 2000 <= moment.year <= 2200:
        raise ApiError(400, f"{name} must be a W3C datetime such as 2026-12-01T00:00:00+07:00")
    return moment


def parse_query(db, params):
    """Validate GET requests parameters into a Query, or raise ApiError(400)."""
    query = Query(
        page=_integer(params, "page", 1, 1, MAX_PAGE),
        page_size=_integer(params, "page_size", PAGE_SIZE, 1, MAX_PAGE_SIZE),
    )
    query.refs = [ref.upper() for ref in _csv(params, "service_request_id")]
    if len(query.refs) > MAX_IDS:
        raise ApiError(400, f"service_request_id takes at most {MAX_IDS} ids")
    if query.refs:
        return query  # the spec: a list of ids overrides every other filter
    for code in _csv(params, "service_code"):
        found = find_service(db, code, include_inactive=True)
        if not found:
            raise ApiError(400, f"unknown service_code: {code[:40]}")
        query.service_codes.append(found[1]["service_code"])
    for status in _csv(params, "status"):
        if status.lower() not in INTERNAL_STATUSES:
            raise ApiError(400, "status must be open or closed")
        query.statuses.extend(INTERNAL_STATUSES[status.lower()])
    start = parse_datetime(params["start_date"], "start_date") if params.get("start_date") else None
    end = parse_datetime(params["end_date"], "end_date") if params.get("end_date") else None
    if start is None and end is None:
        end = clock.now()
    if start is None:
        start = end - MAX_SPAN
    if end is None:
        end = start + MAX_SPAN
    if end < start:
        raise ApiError(400, "end_date is before start_date")
    if end - start > MAX_SPAN:
        raise ApiError(400, "start_date and end_date may be at most 90 days apart")
    query.start, query.end = clock.iso(start), clock.iso(end)
    return query


# One query with its joins, so a page of 500 requests costs one round trip, not 2,000.
SELECT = """
SELECT r.id, r.ref, r.kind, r.service_code, r.status, r.description, r.trip_id,
       r.requested_at, r.updated_at, r.expected_datetime,
       h.code AS hamlet_code, h.name AS hamlet_name,
       p.phone, p.name AS resident_name, p.language,
       t.starts_at AS trip_starts_at, pr.name AS procedure_name
FROM requests r
LEFT JOIN hamlets h ON h.id = r.hamlet_id
LEFT JOIN residents p ON p.id = r.resident_id
LEFT JOIN trips t ON t.id = r.trip_id
LEFT JOIN procedures pr ON pr.code = r.service_code
"""


def _where(query):
    """Build the WHERE clause (always within :commune_id) and its named parameters for a Query."""
    if query.refs:
        marks = ", ".join(f":ref{index}" for index in range(len(query.refs)))
        values = {f"ref{index}": ref for index, ref in enumerate(query.refs)}
        return f"r.commune_id = :commune_id AND r.ref IN ({marks})", values
    clauses = ["r.commune_id = :commune_id", "r.requested_at >= :start", "r.requested_at <= :end"]
    values = {"start": query.start, "end": query.end}
    if query.statuses:
        marks = ", ".join(f":status{index}" for index in range(len(query.statuses)))
        clauses.append(f"r.status IN ({marks})")
        values.update({f"status{index}": status for index, status in enumerate(query.statuses)})
    if query.service_codes:
        marks = ", ".join(f":code{index}" for index in range(len(query.service_codes)))
        clauses.append(f"r.service_code IN ({marks})")
        values.update({f"code{index}": code for index, code in enumerate(query.service_codes)})
    return " AND ".join(clauses), values


def search_sql(query):
    """Return (sql, named parameters but :commune_id) for one page of a Query, newest first."""
    where, values = _where(query)
    order = "ORDER BY r.requested_at DESC, r.id DESC LIMIT :limit OFFSET :offset"
    sql = f"{SELECT} WHERE {where} {order}"
    return sql, {**values, "limit": query.page_size, "offset": (query.page - 1) * query.page_size}


def search(db, commune, query):
    """Return one page of COMMUNE's requests (joined rows) and the total that match."""
    where, values = _where(query)
    total = communes.scoped_first(
        db, commune, f"SELECT count(*) AS n FROM requests r WHERE {where}", values
    )["n"]
    sql, parameters = search_sql(query)
    return communes.scoped_rows(db, commune, sql, parameters), total


def find(db, commune, ref):
    """Return the joined row of COMMUNE's request with reference REF, or None."""
    return communes.scoped_first(
        db,
        commune,
        f"{SELECT} WHERE r.commune_id = :commune_id AND r.ref = :ref",
        {"ref": str(ref or "").strip().upper()},
    )
