"""Staff changes to the schedule: rules, extra trips, cancelled trips and moved visits.

Every change keeps the bookings whole: a request that loses its trip moves to the next one
with room (or back to waiting), and the resident is told by SMS.
"""

import datetime as dt

from app import communes, lifecycle
from app.delivery import outbox
from app.infra import clock
from app.language.texts import N_
from app.trips.assignment import BOOKABLE, assign_waiting, book, lowest_ranked, on_trip, rebook
from app.trips.notices import notify_schedule
from app.trips.schedule import (
    SESSIONS,
    TripError,
    TripFull,
    booked,
    check_capacity,
    check_hamlets,
    check_times,
    ensure_trips,
    get,
    get_rule,
    hamlet_ids,
    insert_trip,
    list_rules,
)


def save_rule(
    db,
    *,
    weekday,
    session,
    start_time,
    end_time,
    hamlet_ids,
    capacity,
    actor,
    rule_id=None,
    active=True,
):
    """Create or change a schedule rule and apply it to the trips already planned from it.

    Planned future trips of the rule take the new hours, capacity and hamlets; requests on
    them keep their place unless their hamlet is no longer served or the trip now has too
    few places (those move to the next trip, with an SMS). If the weekday or session
    changes, or the rule is switched off, its planned trips are cancelled the usual way.
    """
    weekday = int(weekday)
    if not 0 <= weekday <= 6:
        raise TripError(N_("weekday must be 0 (Monday) to 6 (Sunday)"))
    if session not in SESSIONS:
        raise TripError(N_("session must be one of %(sessions)s"), sessions=", ".join(SESSIONS))
    check_times(start_time, end_time)
    ids = check_hamlets(db, hamlet_ids)
    capacity = check_capacity(capacity)
    clash = db.execute(
        "SELECT id FROM schedule_rules WHERE weekday = :weekday AND session = :session"
        " AND active = 1 AND id IS NOT :id",
        {"weekday": weekday, "session": session, "id": rule_id},
    ).fetchone()
    if active and clash:
        raise TripError(N_("rule %(rule)s already covers that weekday and session"), rule=clash[0])
    record = {
        "weekday": weekday,
        "session": session,
        "start_time": start_time,
        "end_time": end_time,
        "capacity": capacity,
        "active": 1 if active else 0,
        "updated_by": actor,
        "updated_at": clock.iso(clock.now()),
    }
    if rule_id is None:
        rule_id = (
            db["schedule_rules"].insert({**record, "commune_id": communes.current_id()}).last_pk
        )
    else:
        if not db.execute(
            "SELECT 1 FROM schedule_rules WHERE id = :id", {"id": rule_id}
        ).fetchone():
            raise TripError(N_("no schedule rule with id %(id)s"), id=rule_id)
        db["schedule_rules"].update(rule_id, record)
    db.execute("DELETE FROM rule_hamlets WHERE rule_id = :rule_id", {"rule_id": rule_id})
    db["rule_hamlets"].insert_all([{"rule_id": rule_id, "hamlet_id": h} for h in ids])
    rule = get_rule(db, rule_id)
    _apply_rule(db, rule, actor)
    ensure_trips(db)
    return get_rule(db, rule_id)


def serve_hamlet(db, hamlet_id, rule_ids, *, actor):
    """Make exactly the rules RULE_IDS serve a hamlet; each changed rule's trips follow it."""
    for rule in list_rules(db):
        served = set(rule["hamlet_ids"])
        wanted = (served | {hamlet_id}) if rule["id"] in rule_ids else (served - {hamlet_id})
        if wanted != served:
            save_rule(
                db,
                rule_id=rule["id"],
                weekday=rule["weekday"],
                session=rule["session"],
                start_time=rule["start_time"],
                end_time=rule["end_time"],
                hamlet_ids=sorted(wanted),
                capacity=rule["capacity"],
                active=bool(rule["active"]),
                actor=actor,
            )


def _apply_rule(db, rule, actor):
    """Bring the planned future trips of RULE in line with it."""
    future = list(
        db["trips"].rows_where(
            "rule_id = :rule_id AND status = 'planned' AND starts_at > :now",
            {"rule_id": rule["id"], "now": clock.iso(clock.now())},
            order_by="starts_at",
        )
    )
    dropped, kept = [], []
    for trip in future:
        day = dt.date.fromisoformat(trip["date"])
        same_slot = day.weekday() == rule["weekday"] and trip["session"] == rule["session"]
        (kept if rule["active"] and same_slot else dropped).append(trip)
    # Cancel every trip that no longer fits first, and generate the new ones, so that
    # their requests move once, straight to the new schedule.
    for trip in dropped:
        _mark_cancelled(db, trip, actor=actor, note="schedule changed")
    for trip in kept:
        day = dt.date.fromisoformat(trip["date"])
        starts_at = clock.iso(clock.at_local(day, rule["start_time"]))
        db["trips"].update(
            trip["id"],
            {
                "starts_at": starts_at,
                "ends_at": clock.iso(clock.at_local(day, rule["end_time"])),
                "capacity": rule["capacity"],
            },
        )
        db.execute("DELETE FROM trip_hamlets WHERE trip_id = :trip_id", {"trip_id": trip["id"]})
        db["trip_hamlets"].insert_all(
            [{"trip_id": trip["id"], "hamlet_id": h} for h in rule["hamlet_ids"]]
        )
        db.execute(
            "UPDATE requests SET expected_datetime = :starts_at"
            " WHERE trip_id = :trip_id AND status = 'scheduled'",
            {"starts_at": starts_at, "trip_id": trip["id"]},
        )
    ensure_trips(db)
    for trip in dropped:
        for request in on_trip(db, trip["id"]):
            rebook(
                db,
                request,
                actor_type="staff",
                actor=actor,
                action="trip_cancelled",
                note=f"trip {trip['date']} cancelled: schedule changed",
            )
    for trip in kept:
        for request in on_trip(db, trip["id"]):
            if request["hamlet_id"] not in rule["hamlet_ids"]:
                rebook(db, request, actor_type="staff", actor=actor, note="hamlet not served")
        _spill_over_capacity(db, get(db, trip["id"]), actor)


def _spill_over_capacity(db, trip, actor):
    """Move the lowest-ranked requests off a trip that has more bookings than places."""
    while booked(db, trip["id"]) > trip["capacity"]:
        victim = lowest_ranked(db, trip, below_priority=None)
        if victim is None:
            break
        rebook(db, victim, after=trip, actor_type="staff", actor=actor, note="capacity reduced")


def add_extra_trip(
    db, day, session, start_time, end_time, hamlet_ids, capacity, *, actor, note=None
):
    """Add a one-off trip; requests waiting for a date in its hamlets are booked on it."""
    if isinstance(day, str):
        try:
            day = dt.date.fromisoformat(day)
        except ValueError:
            raise TripError(N_("date %(value)s is not YYYY-MM-DD"), value=repr(day)) from None
    if session not in SESSIONS:
        raise TripError(N_("session must be one of %(sessions)s"), sessions=", ".join(SESSIONS))
    check_times(start_time, end_time)
    ids = check_hamlets(db, hamlet_ids)
    capacity = check_capacity(capacity)
    if clock.at_local(day, start_time) <= clock.now():
        raise TripError(N_("an extra trip must start in the future"))
    trip_id = insert_trip(
        db,
        day=day,
        session=session,
        start_time=start_time,
        end_time=end_time,
        capacity=capacity,
        hamlet_ids_=ids,
        created_by=actor,
        is_extra=1,
        note=note,
    )
    assign_waiting(db, hamlet_ids=ids, actor_type="staff", actor=actor)
    return get(db, trip_id)


def move_to_trip(db, request_id, trip_id, *, actor, note=None, force=False, notify=True):
    """Staff move a home visit to another trip; the resident gets an SMS with the new date.

    Refused (TripError) when the trip is not planned, has started, does not serve the
    resident's hamlet, or (TripFull) has no room, unless FORCE.
    """
    request = lifecycle.get(db, request_id)
    trip = get(db, trip_id)
    if request["kind"] != lifecycle.VISIT:
        raise TripError(N_("request %(ref)s is a question, not a home visit"), ref=request["ref"])
    if request["status"] not in BOOKABLE:
        raise lifecycle.InvalidTransition(
            f"request {request['ref']} is {request['status']} and cannot be moved to a trip"
        )
    if trip is None:
        raise TripError(N_("no trip with id %(id)s"), id=trip_id)
    if trip["status"] != "planned" or trip["starts_at"] <= clock.iso(clock.now()):
        raise TripError(N_("the trip on %(date)s is not a planned future trip"), date=trip["date"])
    if request["hamlet_id"] not in hamlet_ids(db, trip_id):
        raise TripError(
            N_("the trip on %(date)s does not go to the resident's hamlet"), date=trip["date"]
        )
    if request["trip_id"] == trip_id and request["status"] == "scheduled":
        return request
    if booked(db, trip_id) >= trip["capacity"] and not force:
        raise TripFull(
            N_("the trip on %(date)s is full (%(capacity)s visits)"),
            date=trip["date"],
            capacity=trip["capacity"],
        )
    had_trip = bool(request["trip_id"])
    book(db, request, trip, actor_type="staff", actor=actor, action="moved", note=note)
    request = lifecycle.get(db, request_id)
    if notify:
        notify_schedule(db, request, had_trip=had_trip)
    return request


def cancel_trip(db, trip_id, *, actor, note=None):
    """Cancel a planned trip; each request on it moves to the next trip and is told by SMS.

    Requests move in service order (vulnerable first, then first come), so they keep their
    priority on the next trip. Returns the moved requests.
    """
    trip = get(db, trip_id)
    if trip is None:
        raise TripError(N_("no trip with id %(id)s"), id=trip_id)
    if trip["status"] != "planned":
        raise TripError(
            N_("the trip on %(date)s is %(status)s, not planned"),
            date=trip["date"],
            status=trip["status"],
        )
    _mark_cancelled(db, trip, actor=actor, note=note)
    moved = []
    reason = f"trip {trip['date']} cancelled" + (f": {note}" if note else "")
    for request in on_trip(db, trip_id):
        rebook(
            db,
            request,
            after=trip,
            actor_type="staff",
            actor=actor,
            action="trip_cancelled",
            note=reason,
        )
        moved.append(lifecycle.get(db, request["id"]))
    return moved


def _mark_cancelled(db, trip, *, actor, note):
    """Set a trip cancelled (who, when, why) and drop its unsent reminders."""
    db["trips"].update(
        trip["id"],
        {
            "status": "cancelled",
            "note": note or trip["note"],
            "cancelled_by": actor,
            "cancelled_at": clock.iso(clock.now()),
        },
    )
    outbox.cancel_pending(db, trip_id=trip["id"], reason="trip cancelled")
