"""Open311 GeoReport v2 routes: parse the parameters, call georeport, render JSON or XML.

Each call works in one commune: the API key's, or for a public read without a key the one
`jurisdiction_id` names (or the only one there is). A jurisdiction_id that is not the key's
commune, or names none, is a 400.
"""

import contextlib

from flask import current_app, g, request, url_for
from werkzeug.exceptions import HTTPException, NotFound

from app import communes
from app.accounts import apikeys
from app.catalogue import commune_settings
from app.infra.database import get_db
from app.infra.shared_buckets import SharedBuckets
from db import transaction
from open311 import bp, georeport, reads
from open311.serialize import error, render

FMT = "<any(json, xml):fmt>"
KEY_HEADER = "X-Api-Key"
KEY_TOUCH_SECONDS = 60


def _fmt():
    """The format the caller asked for (by extension), JSON when unclear."""
    fmt = (request.view_args or {}).get("fmt")
    if fmt:
        return fmt
    return "xml" if request.path.endswith(".xml") else "json"


@bp.errorhandler(georeport.ApiError)
def api_error(exc):
    """Render a caller mistake in Open311's error format (with Retry-After for a 429)."""
    response = error(exc.status, exc.description, _fmt())
    if getattr(exc, "retry_after", None):
        response.headers["Retry-After"] = str(exc.retry_after)
    return response


@bp.errorhandler(HTTPException)
def http_error(exc):
    """Render HTTP errors (bad form body, too large, …) in Open311's error format."""
    return error(exc.code or 400, exc.description or exc.name, _fmt())


@bp.errorhandler(Exception)
def unexpected_error(exc):
    """Log a bug and answer with an Open311 error rather than an HTML page."""
    current_app.logger.exception("open311 failure on %s", request.path)
    return error(500, "internal error; the commune has been told", _fmt())


def _api_key(db, required):
    """Return the caller's key row (api_key parameter or X-Api-Key header), or None.

    A key that is given must be valid; REQUIRED makes a missing key a 403 too.
    """
    raw = request.headers.get(KEY_HEADER) or request.values.get("api_key")
    if not raw:
        if required:
            raise georeport.ApiError(403, "this call needs a valid api_key")
        return None
    key = apikeys.verify(db, raw)
    if not key:
        raise georeport.ApiError(403, "api_key is not valid")
    # At most once a minute, so busy readers do not queue for the write lock.
    apikeys.mark_used(db, key, every_seconds=KEY_TOUCH_SECONDS)
    return key


@bp.before_request
def limit_reads():
    """Refuse a GET past its key's or its address's rate, before any database work (429)."""
    if request.method != "GET":
        return
    config = current_app.config
    reads.check(
        request.remote_addr or "",
        request.headers.get(KEY_HEADER) or request.args.get("api_key"),
        per_address=config.get("OPEN311_READS_PER_ADDRESS", reads.PER_ADDRESS),
        per_key=config.get("OPEN311_READS_PER_KEY", reads.PER_KEY),
        buckets=_read_buckets(config),
    )


def _read_buckets(config):
    """The read counters every worker of this database shares (opened once per app)."""
    buckets = current_app.extensions.get("open311_reads")
    if buckets is None:
        path = reads.shared_path(config["DATABASE_PATH"])
        buckets = current_app.extensions.setdefault("open311_reads", SharedBuckets(path))
    return buckets


def _commune(db, key):
    """The commune of this call: the key's, checked against jurisdiction_id when one is given."""
    wanted = str(request.values.get("jurisdiction_id") or "").strip()
    if wanted:
        commune = communes.by_jurisdiction(db, wanted)
        if commune is None:
            raise georeport.ApiError(400, "jurisdiction_id names no jurisdiction of this server")
        if key is not None and key["commune_id"] != commune.id:
            raise georeport.ApiError(400, "jurisdiction_id is not the api_key's jurisdiction")
        return commune
    if key is not None:
        return communes.by_id(db, key["commune_id"])
    every = communes.every(db)
    if len(every) != 1:
        raise georeport.ApiError(400, "jurisdiction_id is required: this server serves several")
    return every[0]


@bp.before_request
def open_commune():
    """Check the key (if any) and resolve the call's commune before any view runs."""
    db = get_db()
    # Filing needs a key, and says so before anything else is checked.
    g.api_key = _api_key(db, required=request.endpoint == "open311.request_create")
    g.commune = _commune(db, g.api_key)
    binding = contextlib.ExitStack()
    binding.enter_context(communes.bound(g.commune))
    g.commune_binding = binding


@bp.teardown_request
def close_commune(exc=None):
    """Unbind the call's commune."""
    binding = g.pop("commune_binding", None)
    if binding is not None:
        binding.close()


def _attributes():
    """Collect attribute[code]=value (and attribute[code][]) form fields into a dict."""
    attributes = {}
    for name, value in request.values.items(multi=True):
        if name.startswith("attribute[") and "]" in name:
            code = name[len("attribute[") : name.index("]")]
            attributes.setdefault(code, value)
    return attributes


@bp.get(f"/discovery.{FMT}")
def discovery(fmt):
    """Describe this endpoint, its formats and how to get a key."""
    base = current_app.config["PUBLIC_BASE_URL"] + url_for("open311.discovery", fmt=fmt)
    office = commune_settings.office_phone(get_db())
    body = {
        "changeset": georeport.CHANGESET,
        "contact": f"{g.commune.agency}, {office}".strip(", "),
        "key_service": "API keys are issued by the commune's administrators.",
        "endpoints": [
            {
                "specification": georeport.SPECIFICATION,
                "url": base.rsplit("/", 1)[0],
                "changeset": georeport.CHANGESET,
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }
    return render(body, fmt, "discovery")


@bp.get(f"/services.{FMT}")
def service_list(fmt):
    """List the services: the home visit, a question and each procedure."""
    return render(georeport.services(get_db()), fmt, "services")


@bp.get(f"/services/<code>.{FMT}")
def service_definition(code, fmt):
    """Return one service's attributes, or 404."""
    definition = georeport.service_definition(get_db(), code)
    if not definition:
        raise georeport.ApiError(404, "no service has this service_code")
    return render(definition, fmt, "service_definition")


@bp.get(f"/requests.{FMT}")
def request_list(fmt):
    """Search requests; personal fields only for a valid key."""
    db = get_db()
    query = georeport.parse_query(db, request.args)
    rows, total = georeport.search(db, g.commune, query)
    personal = g.api_key is not None
    body = [georeport.to_open311(row, personal, g.commune) for row in rows]
    return render(body, fmt, "service_requests", headers={"X-Total-Count": str(total)})


@bp.get(f"/requests/<request_id>.{FMT}")
def request_detail(request_id, fmt):
    """Return one request (as a one-item list, as the spec does), or 404."""
    row = georeport.find(get_db(), g.commune, request_id)
    if not row:
        raise georeport.ApiError(404, "no request has this service_request_id")
    body = [georeport.to_open311(row, g.api_key is not None, g.commune)]
    return render(body, fmt, "service_requests")


@bp.post(f"/requests.{FMT}")
def request_create(fmt):
    """File a request for a resident (key required); 201 when new, 200 when it already was."""
    db = get_db()
    key = g.api_key
    idempotency_key = request.headers.get("Idempotency-Key")
    attributes = _attributes()
    with transaction(db):
        row, created = georeport.create(
            db,
            g.commune,
            request.values,
            attributes,
            key,
            idempotency_key=idempotency_key or attributes.get("idempotency_key"),
        )
    body = [
        {
            "service_request_id": row["ref"],
            "service_notice": georeport.service_notice(row),
            "account_id": None,
            "expected_datetime": georeport.expected_datetime(row),
        }
    ]
    location = url_for("open311.request_detail", request_id=row["ref"], fmt=fmt)
    status = 201 if created else 200
    return render(body, fmt, "service_requests", status=status, headers={"Location": location})


@bp.route("/", defaults={"rest": ""}, methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
@bp.route("/<path:rest>", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
def unknown(rest):
    """Answer unknown paths and formats, and wrong methods, in Open311's error format."""
    adapter = current_app.url_map.bind_to_environ(request.environ)
    for method in ("GET", "POST"):
        try:
            endpoint, _args = adapter.match(method=method)
        except HTTPException:
            continue
        if endpoint != "open311.unknown" and method != request.method:
            raise georeport.ApiError(405, f"use {method} here")
    raise NotFound("no such Open311 endpoint; see discovery.json")
