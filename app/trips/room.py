"""Ways out of a full trip: raise its capacity, bump the least urgent visit, add a trip.

Each is an officer's act on one trip, and keeps the bookings whole: a visit that gives up
its place moves to the next trip with room (or back to waiting) and its resident is told
the new date by SMS. The preview shows that SMS before anything changes.
"""

import datetime as dt

from app import lifecycle, residents
from app.catalogue import catalog, hamlets
from app.infra import clock
from app.language import days
from app.language.texts import N_
from app.trips.assignment import (
    _scheduled_on,
    assign_waiting,
    book,
    lowest_ranked,
    rebook,
)
from app.trips.changes import _spill_over_capacity, add_extra_trip, move_to_trip
from app.trips.notices import notify_schedule
from app.trips.schedule import (
    TripError,
    booked,
    check_capacity,
    get,
    hamlet_ids,
    upcoming_for_hamlet,
)


def _planned(db, trip_id):
    """The trip if it is planned and has not started, else TripError."""
    trip = get(db, trip_id)
    if trip is None:
        raise TripError(N_("no trip with id %(id)s"), id=trip_id)
    if trip["status"] != "planned" or trip["starts_at"] <= clock.iso(clock.now()):
        raise TripError(N_("the trip on %(date)s is not a planned future trip"), date=trip["date"])
    return trip


def is_full(db, trip_id):
    """Tell whether a trip has no free place."""
    trip = get(db, trip_id)
    return trip is not None and booked(db, trip_id) >= trip["capacity"]


def set_capacity(db, trip_id, capacity, *, actor):
    """Change one trip's number of places; waiting visits fill new ones, extra ones move on."""
    trip = _planned(db, trip_id)
    capacity = check_capacity(capacity)
    db["trips"].update(trip_id, {"capacity": capacity})
    trip = get(db, trip_id)
    if capacity < booked(db, trip_id):
        _spill_over_capacity(db, trip, actor)
    else:
        assign_waiting(db, hamlet_ids=hamlet_ids(db, trip_id), actor_type="staff", actor=actor)
    return trip


def _next_with_room(db, trip, hamlet_id):
    """The first planned trip after TRIP to the hamlet with a free place, or None."""
    later = upcoming_for_hamlet(db, hamlet_id, limit=60, after=trip)
    load = _scheduled_on(db, [each["id"] for each in later])
    with_room = (each for each in later if load.get(each["id"], (0, 0))[0] < each["capacity"])
    return next(with_room, None)


def bump_preview(db, trip_id, request_id):
    """Who gives up a place on the full trip for REQUEST_ID, where they go, and the SMS they get.

    Returns None when nobody can move (every visit on it is confirmed for tomorrow).
    """
    trip = _planned(db, trip_id)
    request = lifecycle.get(db, request_id)
    victim = lowest_ranked(db, trip, below_priority=None)
    if victim is None or victim["id"] == request_id:
        return None
    resident = residents.get(db, victim["resident_id"])
    language = (resident["language"] if resident else None) or "vi"
    to = _next_with_room(db, trip, victim["hamlet_id"])
    if to is not None:
        words = days.sms_words_of(to["starts_at"], language)
        hamlet = hamlets.get(db, victim["hamlet_id"])
        sms = catalog.sms(
            "visit_rescheduled",
            language,
            ref=victim["ref"],
            hamlet=hamlet["name"] if hamlet else "",
            **words,
        )
    else:
        sms = catalog.sms("visit_postponed", language, ref=victim["ref"])
    return {
        "trip": trip,
        "request": request,
        "victim": victim,
        "resident": resident,
        "to_trip": to,
        "sms": sms,
    }


def bump_onto(db, trip_id, request_id, victim_id, *, actor):
    """Put REQUEST_ID on the full trip in place of VICTIM_ID, as previewed; both are told."""
    preview = bump_preview(db, trip_id, request_id)
    if preview is None or preview["victim"]["id"] != victim_id:
        # The trip changed since the preview: show the officer the new one instead.
        raise TripError(N_("the trip changed since the preview; look again"))
    trip, request, victim = preview["trip"], preview["request"], preview["victim"]
    if request["hamlet_id"] not in hamlet_ids(db, trip_id):
        raise TripError(
            N_("the trip on %(date)s does not go to the resident's hamlet"), date=trip["date"]
        )
    if request["status"] not in lifecycle.BOOKABLE:
        raise lifecycle.InvalidTransition(f"request {request['ref']} cannot be booked")
    had_trip = bool(request["trip_id"])
    book(db, request, trip, actor_type="staff", actor=actor, action="moved", note=None)
    rebook(
        db,
        victim,
        after=trip,
        actor_type="staff",
        actor=actor,
        action="bumped",
        note=f"place given to {request['ref']}",
    )
    notify_schedule(db, lifecycle.get(db, request_id), had_trip=had_trip)
    return lifecycle.get(db, request_id)


def raise_and_book(db, trip_id, request_id, *, actor):
    """Add one place to the full trip and put REQUEST_ID on it."""
    trip = _planned(db, trip_id)
    db["trips"].update(trip_id, {"capacity": check_capacity(trip["capacity"] + 1)})
    return move_to_trip(db, request_id, trip_id, actor=actor)


def extra_trip_like(db, trip_id, day, *, actor, request_id=None):
    """Add a trip on DAY like TRIP_ID (its hamlets, hours, session, places); book REQUEST_ID."""
    trip = get(db, trip_id)
    if trip is None:
        raise TripError(N_("no trip with id %(id)s"), id=trip_id)
    local_start = clock.to_local(clock.parse(trip["starts_at"]))
    local_end = clock.to_local(clock.parse(trip["ends_at"]))
    if isinstance(day, str):
        try:
            day = dt.date.fromisoformat(day)
        except ValueError:
            raise TripError(N_("date %(value)s is not YYYY-MM-DD"), value=repr(day)) from None
    extra = add_extra_trip(
        db,
        day,
        trip["session"],
        local_start.strftime("%H:%M"),
        local_end.strftime("%H:%M"),
        hamlet_ids(db, trip_id),
        trip["capacity"],
        actor=actor,
        note=f"extra trip added from the trip of {trip['date']}",
    )
    if request_id is not None and lifecycle.get(db, request_id)["trip_id"] != extra["id"]:
        move_to_trip(db, request_id, extra["id"], actor=actor)
    return extra
