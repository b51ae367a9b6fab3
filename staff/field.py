"""Field mode: one trip on the team's phone, working offline, and the results it syncs."""

from flask import abort, current_app, jsonify, render_template, request, send_from_directory
from flask_babel import gettext as _
from flask_wtf.csrf import generate_csrf

from app import lifecycle
from app.infra import clock
from app.infra.database import get_db
from app.infra.web.converters import storable_id
from app.request_queue import field
from db import transaction
from staff import bp
from staff.common import actor, current_commune
from staff.filters import label
from staff.trip_sheet import load_trip

KEEP_UNTIL_HEADER = "X-Field-Keep-Until"


@bp.get("/trips/<int:trip_id>/field")
def trip_field(trip_id):
    """Show one trip for the phone: a card per visit, in route order, grouped by hamlet."""
    db = get_db()
    trip = load_trip(db, trip_id)
    until = field.keep_until(trip)
    page = render_template(
        "staff/field.html",
        trip=trip,
        lines=field.sheet(db, trip_id),
        trip_day_reached=trip["date"] <= clock.local_today().isoformat(),
        keep_until=until,
    )
    # The service worker keeps a copy only until then (static/js/field-sw.js).
    return page, {KEEP_UNTIL_HEADER: until}


@bp.get("/trips/<int:trip_id>/field/token")
def trip_field_token(trip_id):
    """Give the phone a fresh CSRF token before a sync: the one in a cached page may be old."""
    load_trip(get_db(), trip_id)
    return jsonify({"csrf_token": generate_csrf()})


def describe(row):
    """Return the JSON answer for a stored field result, worded for the officer."""
    if row["outcome"] == "kept_as_note":
        message = _(
            "Kept as a note for the office: %(reason)s.",
            reason=_(field.KEPT_REASONS[row["reason"]]),
        )
    else:
        message = _("Saved.")
    status = lifecycle.get(get_db(), row["request_id"])["status"]
    return {
        "key": row["idempotency_key"],
        "outcome": row["outcome"],
        "reason": row["reason"],
        "repeated": row.get("repeated", False),
        "status": status,
        "status_label": label(status),
        "message": message,
    }


@bp.post("/trips/<int:trip_id>/field/results")
def trip_field_result(trip_id):
    """Store one result sent by a phone (JSON), once per idempotency key."""
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        return jsonify({"error": _("Send the result as JSON.")}), 400
    db = get_db()
    load_trip(db, trip_id)
    request_id = data.get("request_id")
    if not isinstance(request_id, int) or isinstance(request_id, bool):
        return jsonify({"error": _("The result does not say which visit it is for.")}), 400
    if storable_id(request_id) is None:
        abort(404)  # no request can have this id, as for a missing one
    try:
        with transaction(db):
            row = field.record(
                db,
                current_commune(),
                trip_id=trip_id,
                request_id=request_id,
                key=data.get("key"),
                result=data.get("result"),
                note=data.get("note") if isinstance(data.get("note"), str) else None,
                recorded_at=data.get("recorded_at"),
                actor=actor(),
            )
    except field.FieldError as exc:
        return jsonify({"error": _("This result cannot be read (%(part)s).", part=str(exc))}), 400
    except lifecycle.RequestNotFound:
        abort(404)
    return jsonify(describe(row))


@bp.get("/trips/field-sw.js")
def field_service_worker():
    """Serve the service worker from /trips/, so that its scope covers the field pages."""
    response = send_from_directory(current_app.static_folder, "js/field-sw.js")
    response.headers["Cache-Control"] = "no-cache"
    return response
