"""Open311 GeoReport v2 over the queue: the service list, request lookups and new requests.

Plain functions on `db` and dicts of parameters (no flask.request), so the routes stay thin.
Problems with the caller's input raise `ApiError`, which the routes render in Open311's format.
"""

import datetime as dt
from dataclasses import dataclass, field

from app import catalog, clock, guidance, hamlets, phones, residents
from app import requests as queue
from app.texts import WEEKDAYS_EN, compact, sms_day

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-12-01T00:00:00+07:00"
AGENCY = "UBND xã Phú Lâm"
MAX_SPAN = dt.timedelta(days=90)
PAGE_SIZE, MAX_PAGE_SIZE, MAX_PAGE = 50, 500, 100_000
MAX_IDS = 500
MAX_DESCRIPTION = 4000
MAX_NAME = 100

PUBLIC_STATUS = {
    "new": "open",
    "scheduled": "open",
    "open": "open",
    "visited": "closed",
    "cancelled": "closed",
    "unreachable": "closed",
    "answered": "closed",
    "closed": "closed",
}
INTERNAL_STATUSES = {
    public: tuple(sorted(s for s, p in PUBLIC_STATUS.items() if p == public))
    for public in ("open", "closed")
}

VISIT_SERVICE = {
    "service_code": queue.VISIT_SERVICE_CODE,
    "service_name": "Yêu cầu cán bộ đến nhà",
    "description": (
        "Tổ lưu động của xã đến nhà người cao tuổi trong chuyến kế tiếp tới ấp để giúp làm thủ "
        "tục. Home visit by the commune's mobile team on its next trip to the hamlet."
    ),
    "keywords": "HEN,DENNHA,XINDENNHA,GAP,TOLUUDONG",
    "group": "Đến nhà",
}
QUESTION_SERVICE = {
    "service_code": queue.QUESTION_SERVICE_CODE,
    "service_name": "Câu hỏi cho cán bộ xã",
    "description": (
        "Câu hỏi hoặc lời nhắn để cán bộ xã gọi lại hoặc nhắn tin trả lời. "
        "A question that commune staff answer by phone or SMS."
    ),
    "keywords": "HOI,CAUHOI",
    "group": "Hỏi đáp",
}
PROCEDURE_GROUP = "Thủ tục"

YES_WORDS = {"yes", "y", "true", "1", "co", "có"}
NO_WORDS = {"no", "n", "false", "0", "khong", "không"}
YES_NO_VALUES = [{"key": "yes", "name": "Có (yes)"}, {"key": "no", "name": "Không (no)"}]
FLAGS = {
    "age_75_plus": "Người từ 75 tuổi trở lên? (aged 75 or over)",
    "lives_alone": "Sống một mình? (lives alone)",
    "limited_mobility": "Đi lại khó khăn? (limited mobility)",
}


class ApiError(Exception):
    """A problem with the caller's request, reported with an HTTP status."""

    def __init__(self, status, description):
        super().__init__(description)
        self.status = status
        self.description = description


# -- services ------------------------------------------------------------------------------


def _service(base):
    """Complete a service entry with the fields every service shares."""
    return {**base, "metadata": True, "type": "realtime"}


def _procedure_service(procedure):
    """Describe a guidance procedure as an Open311 service."""
    return _service(
        {
            "service_code": procedure["code"],
            "service_name": procedure["name"],
            "description": procedure["summary"] or procedure["name"],
            "keywords": ",".join(procedure["synonyms"]),
            "group": PROCEDURE_GROUP,
        }
    )


def services(db):
    """Return the service list: the home visit, a question, then each active procedure."""
    return [_service(VISIT_SERVICE), _service(QUESTION_SERVICE)] + [
        _procedure_service(procedure) for procedure in guidance.all_procedures(db)
    ]


def find_service(db, code, include_inactive=False):
    """Return (kind, service) for a service code (any case), or None."""
    code = str(code or "").strip().upper()
    if code == queue.VISIT_SERVICE_CODE:
        return queue.VISIT, _service(VISIT_SERVICE)
    if code == queue.QUESTION_SERVICE_CODE:
        return queue.QUESTION, _service(QUESTION_SERVICE)
    procedure = guidance.get(db, code) if code else None
    if procedure and (procedure["active"] or include_inactive):
        return queue.QUESTION, _procedure_service(procedure)
    return None


def _hamlet_attribute(db, required):
    """The hamlet attribute: a list of the active hamlets by code."""
    return {
        "variable": True,
        "code": "hamlet",
        "datatype": "singlevaluelist",
        "required": required,
        "datatype_description": "Mã ấp (hamlet code); address_string may name the hamlet instead.",
        "order": 1,
        "description": "Ấp nơi người dân sống (the resident's hamlet)",
        "values": [{"key": row["code"], "name": row["name"]} for row in hamlets.active(db)],
    }


def service_definition(db, code):
    """Return the definition (attributes) of a service, or None if there is no such service."""
    found = find_service(db, code)
    if not found:
        return None
    kind, service = found
    attributes = [_hamlet_attribute(db, required=kind == queue.VISIT)]
    if kind == queue.VISIT:
        attributes.append(
            {
                "variable": True,
                "code": "reason",
                "datatype": "text",
                "required": False,
                "datatype_description": "Free text, up to 4000 characters.",
                "order": 2,
                "description": "Lý do cần đến nhà (why a home visit is needed)",
                "values": [],
            }
        )
        for order, (code_, description) in enumerate(FLAGS.items(), start=3):
            attributes.append(
                {
                    "variable": True,
                    "code": code_,
                    "datatype": "singlevaluelist",
                    "required": False,
                    "datatype_description": "yes or no; a yes gives the visit priority.",
                    "order": order,
                    "description": description,
                    "values": YES_NO_VALUES,
                }
            )
    return {"service_code": service["service_code"], "attributes": attributes}


# -- reading requests ----------------------------------------------------------------------


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
    """Build the WHERE clause and its parameters for a Query."""
    if query.refs:
        marks = ",".join("?" * len(query.refs))
        return f"r.ref IN ({marks})", list(query.refs)
    clauses, values = ["r.requested_at >= ?", "r.requested_at <= ?"], [query.start, query.end]
    if query.statuses:
        clauses.append(f"r.status IN ({','.join('?' * len(query.statuses))})")
        values += query.statuses
    if query.service_codes:
        clauses.append(f"r.service_code IN ({','.join('?' * len(query.service_codes))})")
        values += query.service_codes
    return " AND ".join(clauses), values


def search_sql(query):
    """Return (sql, parameters) for one page of a Query, newest first."""
    where, values = _where(query)
    sql = f"{SELECT} WHERE {where} ORDER BY r.requested_at DESC, r.id DESC LIMIT ? OFFSET ?"
    return sql, values + [query.page_size, (query.page - 1) * query.page_size]


def search(db, query):
    """Return one page of requests (joined rows) and the total that match."""
    where, values = _where(query)
    total = db.execute(f"SELECT count(*) FROM requests r WHERE {where}", values).fetchone()[0]
    sql, parameters = search_sql(query)
    return list(db.query(sql, parameters)), total


def find(db, ref):
    """Return the joined row of the request with reference REF, or None."""
    rows = list(db.query(f"{SELECT} WHERE r.ref = ?", [str(ref or "").strip().upper()]))
    return rows[0] if rows else None


def _local(text):
    """Stored UTC text → W3C datetime with the local offset, or None."""
    moment = clock.to_local(text)
    return moment.isoformat() if moment else None


def expected_datetime(row):
    """When the team is expected: the start of the request's trip, in local time."""
    return _local(row["trip_starts_at"] or row["expected_datetime"])


def status_notes(row):
    """Explain a request's internal status in plain words."""
    start = row["trip_starts_at"] or row["expected_datetime"]
    local = clock.to_local(start) if start else None
    day = f"{WEEKDAYS_EN[local.weekday()]} {local:%d/%m}" if local else None
    notes = {
        "new": "waiting for a trip",
        "scheduled": f"scheduled for {day}" if day else "scheduled",
        "visited": "visited",
        "cancelled": "cancelled",
        "unreachable": "the resident could not be reached",
        "open": "waiting for an answer from staff",
        "answered": "answered",
        "closed": "closed",
    }
    return notes.get(row["status"], row["status"])


def service_notice(row):
    """The text sent (or read) back to the resident about this request."""
    language = row["language"] or "vi"
    if row["kind"] == queue.VISIT:
        if row["trip_starts_at"]:
            day = sms_day(clock.to_local(row["trip_starts_at"]).date(), language)
            return catalog.sms(
                "visit_confirmed", language, ref=row["ref"], hamlet=row["hamlet_name"], day=day
            )
        return catalog.sms("visit_queued", language, ref=row["ref"])
    return catalog.sms("question_received", language, ref=row["ref"])


def service_name(row):
    """The name of the service a request was filed under."""
    if row["service_code"] == queue.VISIT_SERVICE_CODE:
        return VISIT_SERVICE["service_name"]
    if row["procedure_name"]:
        return row["procedure_name"]
    return QUESTION_SERVICE["service_name"]


def split_name(name):
    """Split a Vietnamese full name into Open311's (first_name, last_name).

    Vietnamese write the family name first: "Nguyễn Thị Hoa" → ("Thị Hoa", "Nguyễn").
    """
    parts = (name or "").split()
    if not parts:
        return None, None
    if len(parts) == 1:
        return parts[0], None
    return " ".join(parts[1:]), parts[0]


def to_open311(row, personal):
    """Render a joined request row as an Open311 request; PERSONAL adds phone, names, text."""
    item = {
        "service_request_id": row["ref"],
        "status": PUBLIC_STATUS.get(row["status"], "open"),
        "status_notes": status_notes(row),
        "service_name": service_name(row),
        "service_code": row["service_code"],
        "description": row["description"] if personal else None,
        "agency_responsible": AGENCY,
        "service_notice": service_notice(row),
        "requested_datetime": _local(row["requested_at"]),
        "updated_datetime": _local(row["updated_at"]),
        "expected_datetime": expected_datetime(row),
        "address": row["hamlet_name"],
        "address_id": row["hamlet_code"],
        "zipcode": None,
        "lat": None,
        "long": None,
        "media_url": None,
    }
    if personal:
        first, last = split_name(row["resident_name"])
        item.update({"phone": row["phone"], "first_name": first, "last_name": last})
    return item


# -- filing requests -----------------------------------------------------------------------


def _flag(attributes, name):
    """Read a yes/no attribute: 1, 0 or None when absent."""
    raw = str(attributes.get(name) or "").strip().lower()
    if not raw:
        return None
    if raw in YES_WORDS:
        return 1
    if raw in NO_WORDS:
        return 0
    raise ApiError(400, f"attribute[{name}] must be yes or no")


def resolve_hamlet(db, params, attributes):
    """Find the active hamlet named by attribute[hamlet], address_id or address_string."""
    for raw in (attributes.get("hamlet"), params.get("address_id")):
        if raw and str(raw).strip():
            code = compact(str(raw))
            for row in hamlets.active(db):
                if row["code"] == code:
                    return row
            raise ApiError(400, "unknown hamlet; see the hamlet attribute of the service")
    text = str(params.get("address_string") or "").strip()
    if text:
        found, _rest = hamlets.find_in_text(db, text)
        if not found:
            raise ApiError(400, "address_string names no known hamlet")
        return found
    return None


def _text_param(params, name, limit):
    """Read a free-text parameter, stripped, at most LIMIT characters."""
    text = str(params.get(name) or "").strip()
    if len(text) > limit:
        raise ApiError(400, f"{name} is longer than {limit} characters")
    return text


def create(db, params, attributes, key, idempotency_key=None):
    """File a request from POST parameters for API key row KEY; return (row, created).

    Call inside a transaction. A home visit lands on the next trip to its hamlet.
    """
    code = str(params.get("service_code") or "").strip()
    if not code:
        raise ApiError(400, "service_code is required")
    found = find_service(db, code)
    if not found:
        raise ApiError(400, f"unknown service_code: {code[:40]}")
    kind, service = found
    if not str(params.get("phone") or "").strip():
        raise ApiError(400, "phone is required: the resident is told by SMS or a call")
    try:
        phone = phones.normalise(params["phone"])
    except phones.InvalidPhone:
        raise ApiError(400, "phone is not a valid phone number") from None
    hamlet = resolve_hamlet(db, params, attributes)
    if kind == queue.VISIT and not hamlet:
        raise ApiError(400, "a home visit needs the hamlet: attribute[hamlet] or address_string")
    reason = _text_param(attributes, "reason", MAX_DESCRIPTION)
    description = _text_param(params, "description", MAX_DESCRIPTION)
    text = "\n".join(part for part in (reason, description) if part)[:MAX_DESCRIPTION]
    if service["service_code"] == queue.QUESTION_SERVICE_CODE and not text:
        raise ApiError(400, "a question needs a description")
    name = " ".join(
        part
        for part in (
            _text_param(params, "last_name", MAX_NAME),
            _text_param(params, "first_name", MAX_NAME),
        )
        if part
    )
    flags = {name_: _flag(attributes, name_) for name_ in FLAGS}
    source_key = None
    if idempotency_key:
        source_key = f"open311:{key['id']}:{str(idempotency_key).strip()[:100]}"
        existing = queue.by_source_key(db, source_key)
        if existing:
            return find(db, existing["ref"]), False
    _update_resident(db, phone, name, flags)
    request, created = queue.open_request(
        db,
        phone=phone,
        kind=kind,
        channel="api",
        service_code=service["service_code"],
        description=text,
        hamlet_id=hamlet["id"] if hamlet else None,
        source_key=source_key,
        actor_type="api",
        actor=key["name"],
        notify=True,
        resident_fields={"name": name or None},
    )
    return find(db, request["ref"]), created


def _update_resident(db, phone, name, flags):
    """Record what the caller told us about the resident; never clears a staff-set flag."""
    resident = residents.find_or_create(db, phone, name=name or None)
    changes = {flag: 1 for flag, value in flags.items() if value and not resident[flag]}
    if name and not resident["name"]:
        changes["name"] = name
    if changes:
        residents.update(db, resident["id"], **changes)
