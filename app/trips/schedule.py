"""The trip calendar: trips, the weekly schedule rules and the trips generated from them."""

import datetime as dt

import holidays

from app import communes
from app.catalogue import commune_settings, hamlets
from app.infra import clock
from app.language.texts import N_
from db import first, rows

SESSIONS = ("morning", "afternoon")


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


def get(db, trip_id):
    """Return a trip row by id, or None."""
    if trip_id is None:
        return None
    return first(db, "SELECT * FROM trips WHERE id = :id", {"id": trip_id})


def hamlet_ids(db, trip_id):
    """Return the ids of the hamlets a trip serves."""
    cursor = db.conn.execute(
        "SELECT hamlet_id FROM trip_hamlets WHERE trip_id = :trip_id", {"trip_id": trip_id}
    )
    return [hamlet_id for (hamlet_id,) in cursor]


def booked(db, trip_id):
    """Count the home visits scheduled on a trip."""
    return db.execute(
        "SELECT count(*) FROM requests WHERE trip_id = :trip_id AND status = 'scheduled'",
        {"trip_id": trip_id},
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
        WHERE trip_hamlets.hamlet_id = :hamlet_id AND trips.status = 'planned'
          AND trips.starts_at > :since
        ORDER BY trips.starts_at, trips.id LIMIT :limit
        """,
        {"hamlet_id": hamlet_id, "since": since, "limit": limit},
    )


def next_trip_for(db, hamlet_id):
    """Return the next planned trip to a hamlet, generating the schedule if needed."""
    upcoming = upcoming_for_hamlet(db, hamlet_id, limit=1)
    if not upcoming:
        ensure_trips(db)
        upcoming = upcoming_for_hamlet(db, hamlet_id, limit=1)
    return upcoming[0] if upcoming else None


def public_holidays(years):
    """Return Vietnam's public holidays (Tết and other lunar ones included) for YEARS."""
    return holidays.country_holidays("VN", years=list(years))


def skipped_holidays(db, weeks=None):
    """Return (date, holiday name) for rule days in the coming weeks that get no trip."""
    weeks = weeks or commune_settings.weeks_ahead(db)
    start = clock.local_today()
    end = start + dt.timedelta(weeks=weeks)
    weekdays = {rule["weekday"] for rule in list_rules(db) if rule["active"]}
    days_off = public_holidays(range(start.year, end.year + 1))
    return sorted(
        (day, name)
        for day, name in days_off.items()
        if start <= day < end and day.weekday() in weekdays
    )


def list_rules(db):
    """Return the schedule rules, each with its hamlet ids and names, by weekday."""
    rules = []
    for rule in db["schedule_rules"].rows_where(
        "commune_id = :commune_id",
        {"commune_id": communes.current_id()},
        order_by="weekday, session, id",
    ):
        served = list(
            db.query(
                """
                SELECT hamlets.id, hamlets.name FROM rule_hamlets
                JOIN hamlets ON hamlets.id = rule_hamlets.hamlet_id
                WHERE rule_hamlets.rule_id = :rule_id ORDER BY hamlets.route_order, hamlets.id
                """,
                {"rule_id": rule["id"]},
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


def check_times(start_time, end_time):
    """Refuse hours that are not HH:MM or that end before they start."""
    for value in (start_time, end_time):
        if not clock.HHMM.match(str(value or "")):
            raise TripError(N_("time %(value)s is not HH:MM (24-hour)"), value=repr(value))
    if end_time <= start_time:
        raise TripError(
            N_("a trip must end after it starts (%(start)s–%(end)s)"),
            start=start_time,
            end=end_time,
        )


def check_hamlets(db, hamlet_ids_):
    """Refuse an empty or unknown hamlet list; return the ids as ints without repeats."""
    ids = list(dict.fromkeys(int(hamlet_id) for hamlet_id in hamlet_ids_ or []))
    if not ids:
        raise TripError(N_("a trip must serve at least one hamlet"))
    for hamlet_id in ids:
        if not hamlets.get(db, hamlet_id):
            raise TripError(N_("no hamlet with id %(id)s"), id=hamlet_id)
    return ids


MAX_CAPACITY = 200  # home visits on one trip; far above a morning's work, far below overflow


def check_capacity(capacity):
    """Refuse a capacity that is not a positive whole number."""
    try:
        value = int(capacity)
    except (TypeError, ValueError):
        raise TripError(N_("capacity %(value)s is not a number"), value=repr(capacity)) from None
    if value < 1:
        raise TripError(N_("capacity must be at least 1 home visit"))
    if value > MAX_CAPACITY:
        raise TripError(N_("capacity can be at most %(most)s home visits"), most=MAX_CAPACITY)
    return value


def ensure_trips(db, weeks=None, start=None):
    """Create the planned trips for the coming WEEKS from the schedule rules (idempotent).

    Public holidays (Tết included) get no trip. A rule trip that staff cancelled stays
    cancelled: it is never generated again.
    """
    weeks = weeks or commune_settings.weeks_ahead(db)
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
        "SELECT 1 FROM trips WHERE rule_id = :rule_id AND date = :date",
        {"rule_id": rule["id"], "date": day.isoformat()},
    ).fetchone()
    if exists:
        return 0
    trip_id = insert_trip(
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


def insert_trip(
    db, *, day, session, start_time, end_time, capacity, hamlet_ids_, created_by, **extra
):
    """Insert a trip with its hamlets; return its id."""
    trip_id = (
        db["trips"]
        .insert(
            {
                "commune_id": communes.current_id(),
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
