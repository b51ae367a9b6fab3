"""Trips: the team's schedule of hamlet visits and the assignment of requests to them.

Assignment rule: a home visit goes to the next planned trip that serves the resident's
hamlet and has room. Vulnerable residents (priority 1) come first: when the trip is full,
a vulnerable request takes the place of the most recent non-priority request on it, and
that request moves to the next trip with room, with an SMS telling the resident the new
date. A request whose reminder ("see you tomorrow") has already been queued is never
bumped: once the team has confirmed the visit for tomorrow, the date holds.
"""

import datetime as dt
import re

import holidays

from app import catalog, clock, guidance, hamlets, lifecycle, outbox, phones, residents
from app.texts import N_, sms_day, sms_time
from db import cache, first, rows

SESSIONS = ("morning", "afternoon")
DEFAULT_WEEKS_AHEAD = 8
HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
# Statuses a visit can be (re)booked from.
BOOKABLE = ("new", "scheduled", "unreachable")


class TripError(ValueError):
    """Raised when a trip or schedule change cannot be made; the message says why.

    TEMPLATE is English with %(name)s placeholders filled from PARAMS, so the staff console
    can show it in the officer's language; str() gives the English text.
    """

    def __init__(self, template, **params):
        self.template = template
        self.params = params
        super().__init__(template % params if params else template)


class TripFull(TripError):
    """Raised when staff move a request onto a trip that has no room left."""


def weeks_ahead(db):
    """Return how many weeks of trips to keep generated (settings key trip_weeks_ahead)."""
    try:
        return max(1, int(cache.setting(db, "trip_weeks_ahead", DEFAULT_WEEKS_AHEAD)))
    except ValueError:
        return DEFAULT_WEEKS_AHEAD


def get(db, trip_id):
    """Return a trip row by id, or None."""
    if trip_id is None:
        return None
    return first(db, "SELECT * FROM trips WHERE id = ?", [trip_id])


def hamlet_ids(db, trip_id):
    """Return the ids of the hamlets a trip serves."""
    cursor = db.conn.execute("SELECT hamlet_id FROM trip_hamlets WHERE trip_id = ?", [trip_id])
    return [hamlet_id for (hamlet_id,) in cursor]


def public_holidays(years):
    """Return Vietnam's public holidays (Tết and other lunar ones included) for YEARS."""
    return holidays.country_holidays("VN", years=list(years))


# Schedule rules ----------------------------------------------------------------------------


def list_rules(db):
    """Return the schedule rules, each with its hamlet ids and names, by weekday."""
    rules = []
    for rule in db["schedule_rules"].rows_where(order_by="weekday, session, id"):
        served = list(
            db.query(
                """
                SELECT hamlets.id, hamlets.name FROM rule_hamlets
                JOIN hamlets ON hamlets.id = rule_hamlets.hamlet_id
                WHERE rule_hamlets.rule_id = ? ORDER BY hamlets.route_order, hamlets.id
                """,
                [rule["id"]],
            )
        )
        rules.append(
            {
                **rule,
                "hamlet_ids": [row["id"] for row in served],
                "hamlet_names": [row["name"] for row in served],
            }
        )
    return rules


def get_rule(db, rule_id):
    """Return one schedule rule with its hamlets, or None."""
    return next((rule for rule in list_rules(db) if rule["id"] == rule_id), None)


def _check_times(start_time, end_time):
    """Refuse hours that are not HH:MM or that end before they start."""
    for value in (start_time, end_time):
        if not HHMM.match(str(value or "")):
            raise TripError(N_("time %(value)s is not HH:MM (24-hour)"), value=repr(value))
    if end_time <= start_time:
        raise TripError(
            N_("a trip must end after it starts (%(start)s–%(end)s)"),
            start=start_time,
            end=end_time,
        )


def _check_hamlets(db, hamlet_ids_):
    """Refuse an empty or unknown hamlet list; return the ids as ints without repeats."""
    ids = list(dict.fromkeys(int(hamlet_id) for hamlet_id in hamlet_ids_ or []))
    if not ids:
        raise TripError(N_("a trip must serve at least one hamlet"))
    for hamlet_id in ids:
        if not hamlets.get(db, hamlet_id):
            raise TripError(N_("no hamlet with id %(id)s"), id=hamlet_id)
    return ids


def _check_capacity(capacity):
    """Refuse a capacity that is not a positive whole number."""
    try:
        value = int(capacity)
    except (TypeError, ValueError):
        raise TripError(N_("capacity %(value)s is not a number"), value=repr(capacity)) from None
    if value < 1:
        raise TripError(N_("capacity must be at least 1 home visit"))
    return value


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
    _check_times(start_time, end_time)
    ids = _check_hamlets(db, hamlet_ids)
    capacity = _check_capacity(capacity)
    clash = db.execute(
        "SELECT id FROM schedule_rules WHERE weekday = ? AND session = ? AND active = 1"
        " AND id IS NOT ?",
        [weekday, session, rule_id],
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
        rule_id = db["schedule_rules"].insert(record).last_pk
    else:
        if not db.execute("SELECT 1 FROM schedule_rules WHERE id = ?", [rule_id]).fetchone():
            raise TripError(N_("no schedule rule with id %(id)s"), id=rule_id)
        db["schedule_rules"].update(rule_id, record)
    db.execute("DELETE FROM rule_hamlets WHERE rule_id = ?", [rule_id])
    db["rule_hamlets"].insert_all([{"rule_id": rule_id, "hamlet_id": h} for h in ids])
    rule = get_rule(db, rule_id)
    _apply_rule(db, rule, actor)
    ensure_trips(db)
    return get_rule(db, rule_id)


def _apply_rule(db, rule, actor):
    """Bring the planned future trips of RULE in line with it."""
    future = list(
        db["trips"].rows_where(
            "rule_id = ? AND status = 'planned' AND starts_at > ?",
            [rule["id"], clock.iso(clock.now())],
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
        db.execute("DELETE FROM trip_hamlets WHERE trip_id = ?", [trip["id"]])
        db["trip_hamlets"].insert_all(
            [{"trip_id": trip["id"], "hamlet_id": h} for h in rule["hamlet_ids"]]
        )
        db.execute(
            "UPDATE requests SET expected_datetime = ? WHERE trip_id = ? AND status = 'scheduled'",
            [starts_at, trip["id"]],
        )
    ensure_trips(db)
    for trip in dropped:
        for request in _on_trip(db, trip["id"]):
            _rebook(
                db,
                request,
                actor_type="staff",
                actor=actor,
                action="trip_cancelled",
                note=f"trip {trip['date']} cancelled: schedule changed",
            )
    for trip in kept:
        for request in _on_trip(db, trip["id"]):
            if request["hamlet_id"] not in rule["hamlet_ids"]:
                _rebook(db, request, actor_type="staff", actor=actor, note="hamlet not served")
        _spill_over_capacity(db, get(db, trip["id"]), actor)


def _spill_over_capacity(db, trip, actor):
    """Move the lowest-ranked requests off a trip that has more bookings than places."""
    while booked(db, trip["id"]) > trip["capacity"]:
        victim = _lowest_ranked(db, trip, below_priority=None)
        if victim is None:
            break
        _rebook(db, victim, after=trip, actor_type="staff", actor=actor, note="capacity reduced")


# Generating trips --------------------------------------------------------------------------


def ensure_trips(db, weeks=None, start=None):
    """Create the planned trips for the coming WEEKS from the schedule rules (idempotent).

    Public holidays (Tết included) get no trip. A rule trip that staff cancelled stays
    cancelled: it is never generated again.
    """
    weeks = weeks or weeks_ahead(db)
    start = start or clock.local_today()
    end = start + dt.timedelta(weeks=weeks)
    days_off = public_holidays(range(start.year, end.year + 1))
    created = 0
    for rule in list_rules(db):
        if not rule["active"] or not rule["hamlet_ids"]:
            continue
        day = start
        while day < end:
            if day.weekday() == rule["weekday"] and day not in days_off:
                created += _create_rule_trip(db, rule, day)
            day += dt.timedelta(days=1)
    return created


def _create_rule_trip(db, rule, day):
    """Insert one rule trip unless the rule already has one (in any status) that day."""
    if clock.at_local(day, rule["start_time"]) <= clock.now():
        return 0
    exists = db.execute(
        "SELECT 1 FROM trips WHERE rule_id = ? AND date = ?", [rule["id"], day.isoformat()]
    ).fetchone()
    if exists:
        return 0
    trip_id = _insert_trip(
        db,
        day=day,
        session=rule["session"],
        start_time=rule["start_time"],
        end_time=rule["end_time"],
        capacity=rule["capacity"],
        hamlet_ids_=rule["hamlet_ids"],
        rule_id=rule["id"],
        created_by="system",
    )
    return 1 if trip_id else 0


def _insert_trip(
    db, *, day, session, start_time, end_time, capacity, hamlet_ids_, created_by, **extra
):
    """Insert a trip with its hamlets; return its id."""
    trip_id = (
        db["trips"]
        .insert(
            {
                "date": day.isoformat(),
                "session": session,
                "starts_at": clock.iso(clock.at_local(day, start_time)),
                "ends_at": clock.iso(clock.at_local(day, end_time)),
                "capacity": capacity,
                "status": "planned",
                "created_at": clock.iso(clock.now()),
                "created_by": created_by,
                **extra,
            }
        )
        .last_pk
    )
    db["trip_hamlets"].insert_all([{"trip_id": trip_id, "hamlet_id": h} for h in hamlet_ids_])
    return trip_id


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
    _check_times(start_time, end_time)
    ids = _check_hamlets(db, hamlet_ids)
    capacity = _check_capacity(capacity)
    if clock.at_local(day, start_time) <= clock.now():
        raise TripError(N_("an extra trip must start in the future"))
    trip_id = _insert_trip(
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


# Looking trips up --------------------------------------------------------------------------


def booked(db, trip_id):
    """Count the home visits scheduled on a trip."""
    return db.execute(
        "SELECT count(*) FROM requests WHERE trip_id = ? AND status = 'scheduled'", [trip_id]
    ).fetchone()[0]


def upcoming_for_hamlet(db, hamlet_id, limit=10, after=None):
    """Return the next planned trips that serve a hamlet, soonest first.

    AFTER (a trip row) keeps only trips that start later than it.
    """
    since = clock.iso(clock.now())
    if after is not None and after["starts_at"] > since:
        since = after["starts_at"]
    return rows(
        db,
        """
        SELECT trips.* FROM trips
        JOIN trip_hamlets ON trip_hamlets.trip_id = trips.id
        WHERE trip_hamlets.hamlet_id = ? AND trips.status = 'planned'
          AND trips.starts_at > ?
        ORDER BY trips.starts_at, trips.id LIMIT ?
        """,
        [hamlet_id, since, limit],
    )


def next_trip_for(db, hamlet_id):
    """Return the next planned trip to a hamlet, generating the schedule if needed."""
    upcoming = upcoming_for_hamlet(db, hamlet_id, limit=1)
    if not upcoming:
        ensure_trips(db)
        upcoming = upcoming_for_hamlet(db, hamlet_id, limit=1)
    return upcoming[0] if upcoming else None


def _scheduled_on(db, trip_ids):
    """Return {trip id: (visits scheduled, their lowest priority)} for TRIP_IDS in one query."""
    if not trip_ids:
        return {}
    marks = ", ".join("?" for _ in trip_ids)
    cursor = db.conn.execute(
        f"SELECT trip_id, count(*), min(priority) FROM requests"
        f" WHERE status = 'scheduled' AND trip_id IN ({marks}) GROUP BY trip_id",
        trip_ids,
    )
    return {trip_id: (count, lowest) for trip_id, count, lowest in cursor}


def _on_trip(db, trip_id):
    """Return the requests scheduled on a trip in service order: priority, then arrival."""
    return rows(
        db,
        "SELECT * FROM requests WHERE trip_id = ? AND status = 'scheduled'"
        " ORDER BY priority DESC, requested_at, id",
        [trip_id],
    )


def _lowest_ranked(db, trip, below_priority):
    """Return the request on TRIP that would give up its place, or None.

    That is the most recent request of the lowest priority (strictly below BELOW_PRIORITY
    when given) whose reminder has not been queued yet.
    """
    clause = "" if below_priority is None else "AND requests.priority < ?"
    params = [trip["id"]] + ([] if below_priority is None else [below_priority])
    return first(
        db,
        f"""
        SELECT requests.* FROM requests
        WHERE requests.trip_id = ? AND requests.status = 'scheduled' {clause}
          AND NOT EXISTS (
            SELECT 1 FROM outbox WHERE outbox.request_id = requests.id
              AND outbox.trip_id = requests.trip_id AND outbox.kind = 'reminder'
          )
        ORDER BY requests.priority, requests.requested_at DESC, requests.id DESC
        LIMIT 1
        """,
        params,
    )


# Assignment --------------------------------------------------------------------------------


def assign_to_trip(
    db, request_id, *, after=None, actor_type="system", actor=None, action="assigned", note=None
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
    priority = request["priority"] or 0
    on_trips = _scheduled_on(db, [trip["id"] for trip in candidates])
    for trip in candidates:
        count, lowest = on_trips.get(trip["id"], (0, None))
        if count < trip["capacity"]:
            _book(db, request, trip, actor_type=actor_type, actor=actor, action=action, note=note)
            return trip
        # Only a request of lower priority can give up its place: skip the lookup otherwise.
        if lowest is None or lowest >= priority:
            continue
        victim = _lowest_ranked(db, trip, below_priority=priority)
        if victim is not None:
            _book(db, request, trip, actor_type=actor_type, actor=actor, action=action, note=note)
            _rebook(
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


def _book(db, request, trip, *, actor_type, actor, action, note):
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
        note=note or f"trip {trip['date']} {trip['session']}",
        trip_id=trip["id"],
        expected_datetime=trip["starts_at"],
    )


def _rebook(
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


def assign_waiting(db, hamlet_ids=None, *, actor_type="system", actor=None):
    """Book the requests still waiting for a date (status new) onto trips with room.

    Each resident who gets a date is told by SMS. Returns how many were booked.
    """
    waiting = rows(
        db,
        "SELECT * FROM requests WHERE kind = ? AND status = 'new' AND hamlet_id IS NOT NULL"
        " ORDER BY priority DESC, requested_at, id",
        [lifecycle.VISIT],
    )
    count = 0
    for request in waiting:
        if hamlet_ids is not None and request["hamlet_id"] not in hamlet_ids:
            continue
        if assign_to_trip(db, request["id"], actor_type=actor_type, actor=actor):
            notify_schedule(db, lifecycle.get(db, request["id"]), had_trip=False)
            count += 1
    return count


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
    _book(db, request, trip, actor_type="staff", actor=actor, action="moved", note=note)
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
    for request in _on_trip(db, trip_id):
        _rebook(
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


# Messages ----------------------------------------------------------------------------------


def _trip_words(db, request, language):
    """Return the day, time and hamlet name of a request's trip for an SMS."""
    trip = get(db, request["trip_id"])
    start = clock.to_local(trip["starts_at"])
    hamlet = hamlets.get(db, request["hamlet_id"])
    return {
        "day": sms_day(start.date(), language),
        "time": sms_time(start),
        "hamlet": hamlet["name"] if hamlet else "",
    }


def notify_schedule(db, request, *, had_trip):
    """Queue the SMS that tells a resident their visit date (new, changed, or none yet)."""
    resident = residents.get(db, request["resident_id"])
    if resident is None:
        return
    language = resident["language"] or "vi"
    last_event = db.execute(
        "SELECT max(id) FROM request_events WHERE request_id = ?", [request["id"]]
    ).fetchone()[0]
    if request["status"] == "scheduled" and request["trip_id"]:
        words = _trip_words(db, request, language)
        if had_trip:
            kind = "rescheduled"
            body = catalog.sms("visit_rescheduled", language, ref=request["ref"], **words)
            # An older, unsent notice about a previous date would only confuse.
            outbox.cancel_pending(
                db, request_id=request["id"], kind="rescheduled", reason="superseded"
            )
        else:
            kind = "confirmation"
            body = catalog.sms(
                "visit_confirmed",
                language,
                ref=request["ref"],
                hamlet=words["hamlet"],
                day=words["day"],
            )
    else:
        kind = "rescheduled"
        body = catalog.sms("visit_postponed", language, ref=request["ref"])
    outbox.enqueue(
        db,
        resident["phone"],
        body,
        kind=kind,
        request_id=request["id"],
        trip_id=request["trip_id"],
        dedupe_key=f"{kind}:{request['id']}:{last_event}",
    )


def reminder_sms(db, request):
    """Return the reminder SMS for a scheduled request."""
    resident = residents.get(db, request["resident_id"])
    language = (resident["language"] if resident else None) or "vi"
    words = _trip_words(db, request, language)
    return catalog.sms("visit_reminder", language, ref=request["ref"], **words)


# Staff views -------------------------------------------------------------------------------


def trip_sheet(db, trip_id):
    """Return the printable sheet rows for a trip, in the hamlets' route order.

    Each row: ref, resident name, phone, hamlet, need, documents to check, vulnerable
    (with the reasons), priority and status.
    """
    found = db.query(
        """
        SELECT requests.*, residents.name AS resident_name, residents.phone AS phone,
               residents.age_75_plus, residents.lives_alone, residents.limited_mobility,
               hamlets.name AS hamlet_name, hamlets.route_order
        FROM requests
        JOIN residents ON residents.id = requests.resident_id
        LEFT JOIN hamlets ON hamlets.id = requests.hamlet_id
        WHERE requests.trip_id = ? AND requests.status IN ('scheduled', 'visited', 'unreachable')
        ORDER BY hamlets.route_order, hamlets.id, requests.priority DESC,
                 requests.requested_at, requests.id
        """,
        [trip_id],
    )
    sheet = []
    for row in found:
        procedure = guidance.get(db, row["service_code"])
        reasons = [
            label
            for field, label in (
                ("age_75_plus", "75+"),
                ("lives_alone", "lives alone"),
                ("limited_mobility", "limited mobility"),
            )
            if row[field]
        ]
        sheet.append(
            {
                "request_id": row["id"],
                "ref": row["ref"],
                "resident": row["resident_name"] or "",
                "phone": row["phone"],
                "phone_display": phones.display(row["phone"]),
                "hamlet": row["hamlet_name"] or "",
                "need": (procedure["name"] if procedure else None) or row["description"] or "",
                "description": row["description"] or "",
                "documents": procedure["documents"] if procedure else [],
                "vulnerable": bool(reasons),
                "vulnerable_reasons": reasons,
                "priority": row["priority"],
                "status": row["status"],
            }
        )
    return sheet


def capacity_summary(db, weeks=4):
    """Return the trips of the coming WEEKS (cancelled ones included, flagged) with bookings.

    Each item: the trip's fields plus hamlets (id, name, booked), booked, remaining.
    """
    today = clock.local_today()
    end = today + dt.timedelta(weeks=weeks)
    summary = []
    for trip in db["trips"].rows_where(
        "date >= ? AND date < ?", [today.isoformat(), end.isoformat()], order_by="starts_at, id"
    ):
        served = list(
            db.query(
                """
                SELECT hamlets.id, hamlets.name, (
                    SELECT count(*) FROM requests WHERE requests.trip_id = :trip
                      AND requests.hamlet_id = hamlets.id AND requests.status = 'scheduled'
                ) AS booked
                FROM trip_hamlets JOIN hamlets ON hamlets.id = trip_hamlets.hamlet_id
                WHERE trip_hamlets.trip_id = :trip
                ORDER BY hamlets.route_order, hamlets.id
                """,
                {"trip": trip["id"]},
            )
        )
        count = booked(db, trip["id"])
        summary.append(
            {
                **trip,
                "hamlets": served,
                "booked": count,
                "remaining": max(0, trip["capacity"] - count) if trip["status"] == "planned" else 0,
            }
        )
    return summary


def skipped_holidays(db, weeks=None):
    """Return (date, holiday name) for rule days in the coming weeks that get no trip."""
    weeks = weeks or weeks_ahead(db)
    start = clock.local_today()
    end = start + dt.timedelta(weeks=weeks)
    weekdays = {rule["weekday"] for rule in list_rules(db) if rule["active"]}
    days_off = public_holidays(range(start.year, end.year + 1))
    return sorted(
        (day, name)
        for day, name in days_off.items()
        if start <= day < end and day.weekday() in weekdays
    )
