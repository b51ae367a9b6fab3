"""Booking home visits onto trips, and bumping when a vulnerable resident needs the place.

Assignment rule: a home visit goes to the next planned trip that serves the resident's
hamlet and has room. Vulnerable residents (priority 1) come first: when the trip is full,
a vulnerable request takes the place of the most recent non-priority request on it, and
that request moves to the next trip with room, with an SMS telling the resident the new
date. A request whose reminder ("see you tomorrow") has already been queued is never
bumped: once the team has confirmed the visit for tomorrow, the date holds.
"""

from app import communes, lifecycle
from app.delivery import outbox
from app.infra import clock
from app.lifecycle import BOOKABLE
from app.trips.notices import notify_schedule
from app.trips.schedule import ensure_trips, get, upcoming_for_hamlet
from db import first, in_list, rows


def _scheduled_on(db, trip_ids):
    """Return {trip id: (visits scheduled, their lowest priority)} for TRIP_IDS in one query."""
    if not trip_ids:
        return {}
    marks, params = in_list("trip_id", trip_ids)
    cursor = db.conn.execute(
        f"SELECT trip_id, count(*), min(priority) FROM requests"
        f" WHERE status = 'scheduled' AND trip_id IN ({marks}) GROUP BY trip_id",
        params,
    )
    return {trip_id: (count, lowest) for trip_id, count, lowest in cursor}


def on_trip(db, trip_id):
    """Return the requests scheduled on a trip in service order: priority, then arrival."""
    return rows(
        db,
        "SELECT * FROM requests WHERE trip_id = :trip_id AND status = 'scheduled'"
        " ORDER BY priority DESC, requested_at, id",
        {"trip_id": trip_id},
    )


def lowest_ranked(db, trip, below_priority):
    """Return the request on TRIP that would give up its place, or None.

    That is the most recent request of the lowest priority (strictly below BELOW_PRIORITY
    when given) whose reminder has not been queued yet.
    """
    clause = "" if below_priority is None else "AND requests.priority < :below_priority"
    params = {"trip_id": trip["id"], "below_priority": below_priority}
    return first(
        db,
        f"""
        SELECT requests.* FROM requests
        WHERE requests.trip_id = :trip_id AND requests.status = 'scheduled' {clause}
          AND NOT EXISTS (
            SELECT 1 FROM outbox WHERE outbox.request_id = requests.id
              AND outbox.trip_id = requests.trip_id AND outbox.kind = 'reminder'
          )
        ORDER BY requests.priority, requests.requested_at DESC, requests.id DESC
        LIMIT 1
        """,
        params,
    )


def assign_to_trip(
    db,
    request_id,
    *,
    after=None,
    before=None,
    actor_type="system",
    actor=None,
    action="assigned",
    note=None,
):
    """Put a home-visit request on the next trip to its hamlet that has room; return the trip.

    A vulnerable resident takes the place of the latest non-priority request on a full
    trip; that request moves on (see the module docstring). Returns None, leaving the
    request as it was, when no planned trip has room.
    """
    request = lifecycle.get(db, request_id)
    if request["kind"] != lifecycle.VISIT or not request["hamlet_id"]:
        return None
    if request["status"] not in BOOKABLE:
        return None
    candidates = [
        trip
        for trip in upcoming_for_hamlet(db, request["hamlet_id"], limit=60, after=after)
        if trip["id"] != request["trip_id"]
    ]
    if not candidates:
        ensure_trips(db)
        candidates = [
            trip
            for trip in upcoming_for_hamlet(db, request["hamlet_id"], limit=60, after=after)
            if trip["id"] != request["trip_id"]
        ]
    if before is not None:
        candidates = [trip for trip in candidates if trip["starts_at"] < before["starts_at"]]
    priority = request["priority"] or 0
    on_trips = _scheduled_on(db, [trip["id"] for trip in candidates])
    for trip in candidates:
        count, lowest = on_trips.get(trip["id"], (0, None))
        if count < trip["capacity"]:
            book(db, request, trip, actor_type=actor_type, actor=actor, action=action, note=note)
            return trip
        # Only a request of lower priority can give up its place: skip the lookup otherwise.
        if lowest is None or lowest >= priority:
            continue
        victim = lowest_ranked(db, trip, below_priority=priority)
        if victim is not None:
            book(db, request, trip, actor_type=actor_type, actor=actor, action=action, note=note)
            rebook(
                db,
                victim,
                after=trip,
                actor_type="system",
                actor=None,
                action="bumped",
                note=f"place given to priority request {request['ref']}",
            )
            return trip
    return None


def first_with_room(db, hamlet_id):
    """Find where assign_to_trip would put a request that takes no one's place, in one query.

    Returns (trip, any_trip): the next planned trip to HAMLET_ID with a free place, or None
    when they are all full; ANY_TRIP is False when no trip is generated yet (assign_to_trip
    then generates them).
    """
    found = first(
        db,
        """
        SELECT trips.*, (SELECT count(*) FROM requests WHERE requests.trip_id = trips.id
                         AND requests.status = 'scheduled') < trips.capacity AS has_room
        FROM trips JOIN trip_hamlets ON trip_hamlets.trip_id = trips.id
        WHERE trip_hamlets.hamlet_id = :hamlet_id AND trips.status = 'planned'
          AND trips.starts_at > :now
        ORDER BY has_room DESC, trips.starts_at, trips.id LIMIT 1
        """,
        {"hamlet_id": hamlet_id, "now": clock.iso(clock.now())},
    )
    if found is None:
        return None, False
    has_room = found.pop("has_room")
    return (found if has_room else None), True


def _booking_note(trip):
    """The status note of a request booked onto TRIP."""
    return f"trip {trip['date']} {trip['session']}"


def booking_fields(trip):
    """The columns of a request booked onto TRIP, for one stored booked from the start."""
    return {
        "trip_id": trip["id"],
        "expected_datetime": trip["starts_at"],
        "status_notes": _booking_note(trip),
    }


def booking_event(request, trip, *, from_status):
    """The history row of REQUEST's booking onto TRIP, as book() records it."""
    return lifecycle.event_row(
        request["id"],
        "assigned",
        actor_type="system",
        from_status=from_status,
        to_status="scheduled",
        note=_booking_note(trip),
    )


def book(db, request, trip, *, actor_type, actor, action, note):
    """Move REQUEST onto TRIP (scheduled, expected at the trip's start)."""
    if request["trip_id"] and request["trip_id"] != trip["id"]:
        outbox.cancel_pending(
            db, request_id=request["id"], trip_id=request["trip_id"], reason="trip changed"
        )
    return lifecycle.transition(
        db,
        request["id"],
        "scheduled",
        actor_type=actor_type,
        actor=actor,
        action=action,
        note=note or _booking_note(trip),
        trip_id=trip["id"],
        expected_datetime=trip["starts_at"],
    )


def rebook(
    db, request, *, after=None, actor_type, actor, action="rescheduled", note=None, notify=True
):
    """Move a booked request to the next trip with room, or back to waiting; tell the resident.

    Returns the new trip, or None when the request now waits for a date.
    """
    previous_trip_id = request["trip_id"]
    trip = assign_to_trip(
        db, request["id"], after=after, actor_type=actor_type, actor=actor, action=action, note=note
    )
    if trip is None:
        if previous_trip_id:
            outbox.cancel_pending(
                db, request_id=request["id"], trip_id=previous_trip_id, reason="trip changed"
            )
        lifecycle.transition(
            db,
            request["id"],
            "new",
            actor_type=actor_type,
            actor=actor,
            action=action,
            note=(note + "; " if note else "") + "no trip with room: waiting for a date",
            trip_id=None,
            expected_datetime=None,
        )
    if notify:
        notify_schedule(db, lifecycle.get(db, request["id"]), had_trip=bool(previous_trip_id))
    return trip


def replan(db, request_id, *, actor_type="staff", actor=None):
    """After a priority change, bring a visit to the earliest trip it may now take.

    A waiting visit is booked; a booked one moves to an earlier trip with room, or takes
    the place of a less urgent visit there (which moves on, told by SMS). The resident is
    told the new date. Returns the new trip, or None when nothing earlier is possible.
    """
    request = lifecycle.get(db, request_id)
    if request["kind"] != lifecycle.VISIT or request["status"] not in ("new", "scheduled"):
        return None
    current = get(db, request["trip_id"]) if request["trip_id"] else None
    trip = assign_to_trip(
        db,
        request_id,
        before=current,
        actor_type=actor_type,
        actor=actor,
        action="moved_up" if current else "assigned",
        note="priority raised",
    )
    if trip is not None:
        notify_schedule(db, lifecycle.get(db, request_id), had_trip=current is not None)
    return trip


def assign_waiting(db, hamlet_ids=None, *, actor_type="system", actor=None):
    """Book the requests still waiting for a date (status new) onto trips with room.

    Each resident who gets a date is told by SMS. Returns how many were booked.
    """
    waiting = rows(
        db,
        "SELECT * FROM requests WHERE commune_id = :commune_id AND kind = :kind AND status = 'new'"
        " AND hamlet_id IS NOT NULL ORDER BY priority DESC, requested_at, id",
        {"commune_id": communes.current_id(), "kind": lifecycle.VISIT},
    )
    count = 0
    for request in waiting:
        if hamlet_ids is not None and request["hamlet_id"] not in hamlet_ids:
            continue
        if assign_to_trip(db, request["id"], actor_type=actor_type, actor=actor):
            notify_schedule(db, lifecycle.get(db, request["id"]), had_trip=False)
            count += 1
    return count
