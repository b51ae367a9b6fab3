"""Filing a request through the API: validate what the caller sent, then open it in the queue."""

from app import lifecycle, profiles, residents
from app.catalogue import hamlets
from app.language import phones
from app.request_queue import service_requests
from app.request_queue.asked import Asked
from open311 import limits
from open311.search import find
from open311.services import FLAGS, find_service
from open311.spec import ApiError

MAX_DESCRIPTION = 4000
MAX_NAME = 100
YES_WORDS = {"yes", "y", "true", "1", "co", "có"}
NO_WORDS = {"no", "n", "false", "0", "khong", "không"}


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
            row = hamlets.by_code(db, hamlets.code_for(str(raw)))
            if row:
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


def create(db, commune, params, attributes, key, idempotency_key=None):
    """File a request in COMMUNE (the key's) from POST parameters for API key row KEY; return
    (row, created).

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
    if kind == lifecycle.VISIT and not hamlet:
        raise ApiError(400, "a home visit needs the hamlet: attribute[hamlet] or address_string")
    reason = _text_param(attributes, "reason", MAX_DESCRIPTION)
    description = _text_param(params, "description", MAX_DESCRIPTION)
    text = "\n".join(part for part in (reason, description) if part)[:MAX_DESCRIPTION]
    if service["service_code"] == lifecycle.QUESTION_SERVICE_CODE and not text:
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
        existing = service_requests.by_source_key(db, source_key)
        if existing:
            return find(db, commune, existing["ref"]), False
    limits.check(db, key, phone)
    # A caller's word never changes a known resident: what it says is kept on the request.
    known = residents.by_phone(db, phone)
    if not known:
        _new_resident(db, phone, name, flags)
    request, created = service_requests.open_request(
        db,
        Asked(
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
            keep_resident=bool(known),
            vulnerable=any(flags.values()),
        ),
        commune=commune,
    )
    if created and known:
        profiles.note_reported(db, request, known, name=name, flags=flags, actor=key["name"])
    return find(db, commune, request["ref"]), created


def _new_resident(db, phone, name, flags):
    """Start a resident the commune does not know yet from what the caller told us."""
    yes = {flag: 1 for flag, value in flags.items() if value}
    return residents.find_or_create(db, phone, name=name or None, **yes)
