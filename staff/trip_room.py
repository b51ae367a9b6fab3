"""A full trip's ways out, on its own page: more places, a bump with a preview, a trip more."""

import datetime as dt

from flask import flash, render_template, request, url_for
from flask import redirect as go
from flask_babel import gettext as _

from app import trips
from app.infra.database import get_db
from app.request_queue import request_lists
from app.trips import room
from staff import bp
from staff.common import actor, arg_int, attempt, current_commune, form_int, refused
from staff.trip_sheet import load_trip


@bp.app_template_filter("next_day")
def next_day(value):
    """The day after an ISO date, as an ISO date (an extra trip's first choice)."""
    return (dt.date.fromisoformat(str(value)[:10]) + dt.timedelta(days=1)).isoformat()


def _request_for(db, request_id):
    """The officer's commune's request being placed, or None."""
    if not request_id:
        return None
    return request_lists.request_row(db, current_commune(), request_id)


def _room_page(trip_id, request_id, status=200):
    """The trip's ways out for REQUEST_ID (a visit that found it full)."""
    db = get_db()
    trip = load_trip(db, trip_id)
    placing = _request_for(db, request_id)
    preview = None
    if placing and trip["status"] == "planned":
        try:
            preview = room.bump_preview(db, trip_id, placing["id"])
        except trips.TripError:
            preview = None
    return (
        render_template(
            "staff/trip_room.html",
            trip=trip,
            placing=placing,
            preview=preview,
            extra_day=next_day(trip["date"]),
            full=room.is_full(db, trip_id),
        ),
        status,
    )


@bp.get("/trips/<int:trip_id>/room")
def trip_room(trip_id):
    """Show a full trip's ways out for one visit: raise, bump (with its SMS), or a new trip."""
    return _room_page(trip_id, arg_int("request"))


def _done(trip_id, request_id, change, message):
    """Run CHANGE in a transaction, then go to the request (or the trip); say why not (400)."""
    db = get_db()
    load_trip(db, trip_id)
    if request_id and _request_for(db, request_id) is None:
        refused(_("That trip or request no longer exists."))
        return _room_page(trip_id, None, 400)
    if attempt(db, change):
        flash(message, "success")
        if request_id:
            return go(url_for("staff.request_detail", request_id=request_id))
        return go(url_for("staff.trip_detail", trip_id=trip_id))
    return _room_page(trip_id, request_id, 400)


@bp.post("/trips/<int:trip_id>/capacity")
def trip_capacity(trip_id):
    """Set the trip's places, or add one and put the waiting visit on it."""
    request_id = form_int("request_id")
    if request_id:
        return _done(
            trip_id,
            request_id,
            lambda db: room.raise_and_book(db, trip_id, request_id, actor=actor()),
            _("One more place on the trip, and the visit is on it. The resident gets an SMS."),
        )
    capacity = request.form.get("capacity")
    return _done(
        trip_id,
        None,
        lambda db: room.set_capacity(db, trip_id, capacity, actor=actor()),
        _("The trip's places are saved. Waiting visits are booked on new places."),
    )


@bp.post("/trips/<int:trip_id>/bump")
def trip_bump(trip_id):
    """Move the least urgent visit off the full trip, as previewed, and put this one on."""
    request_id, victim_id = form_int("request_id"), form_int("victim_id")
    return _done(
        trip_id,
        request_id,
        lambda db: room.bump_onto(db, trip_id, request_id, victim_id, actor=actor()),
        _("The visit is on the trip. Both residents get an SMS with their date."),
    )


@bp.post("/trips/<int:trip_id>/extra")
def trip_add_like(trip_id):
    """Add a trip like this one on another day; the waiting visit goes on it."""
    request_id = form_int("request_id")
    day = request.form.get("date", "")
    return _done(
        trip_id,
        request_id,
        lambda db: room.extra_trip_like(db, trip_id, day, actor=actor(), request_id=request_id),
        _("Extra trip added. Waiting visits of its hamlets are booked on it."),
    )
