"""Trips: the team's schedule of hamlet visits and the assignment of requests to them."""

import datetime as dt

import holidays

from app import clock


def get(db, trip_id):
    """Return a trip row by id, or None."""
    if trip_id is None:
        return None
    rows = list(db["trips"].rows_where("id = ?", [trip_id]))
    return rows[0] if rows else None


def hamlet_ids(db, trip_id):
    """Return the ids of the hamlets a trip serves."""
    return [row["hamlet_id"] for row in db["trip_hamlets"].rows_where("trip_id = ?", [trip_id])]


def public_holidays(years):
    """Return Vietnam's public holidays (Tết and other lunar ones included) for YEARS."""
    return holidays.country_holidays("VN", years=list(years))


def ensure_trips(db, weeks=8, start=None):
    """Create the planned trips for the coming WEEKS from the schedule rules (idempotent)."""
    start = start or clock.local_today()
    end = start + dt.timedelta(weeks=weeks)
    days_off = public_holidays(range(start.year, end.year + 1))
    rules = list(db["schedule_rules"].rows_where("active = 1"))
    created = 0
    for rule in rules:
        rule_hamlets = [
            row["hamlet_id"] for row in db["rule_hamlets"].rows_where("rule_id = ?", [rule["id"]])
        ]
        day = start
        while day < end:
            if day.weekday() == rule["weekday"] and day not in days_off:
                created += _create_trip(db, rule, day, rule_hamlets)
            day += dt.timedelta(days=1)
    return created


def _create_trip(db, rule, day, rule_hamlets):
    """Insert one rule-based trip unless that day and session already has one."""
    exists = db.execute(
        "SELECT 1 FROM trips WHERE date = ? AND session = ?", [day.isoformat(), rule["session"]]
    ).fetchone()
    if exists:
        return 0
    trip_id = (
        db["trips"]
        .insert(
            {
                "date": day.isoformat(),
                "session": rule["session"],
                "starts_at": clock.iso(clock.at_local(day, rule["start_time"])),
                "ends_at": clock.iso(clock.at_local(day, rule["end_time"])),
                "capacity": rule["capacity"],
                "status": "planned",
                "rule_id": rule["id"],
                "created_at": clock.iso(clock.now()),
            }
        )
        .last_pk
    )
    db["trip_hamlets"].insert_all(
        [{"trip_id": trip_id, "hamlet_id": hamlet_id} for hamlet_id in rule_hamlets]
    )
    return 1


def booked(db, trip_id):
    """Count the home visits scheduled on a trip."""
    return db.execute(
        "SELECT count(*) FROM requests WHERE trip_id = ? AND status = 'scheduled'", [trip_id]
    ).fetchone()[0]


def upcoming_for_hamlet(db, hamlet_id, limit=10):
    """Return the next planned trips that serve a hamlet, soonest first."""
    return list(
        db.query(
            """
            SELECT trips.* FROM trips
            JOIN trip_hamlets ON trip_hamlets.trip_id = trips.id
            WHERE trip_hamlets.hamlet_id = ? AND trips.status = 'planned'
              AND trips.starts_at > ?
            ORDER BY trips.starts_at LIMIT ?
            """,
            [hamlet_id, clock.iso(clock.now()), limit],
        )
    )


def next_trip_for(db, hamlet_id):
    """Return the next planned trip to a hamlet, generating the schedule if needed."""
    upcoming = upcoming_for_hamlet(db, hamlet_id, limit=1)
    if not upcoming:
        ensure_trips(db)
        upcoming = upcoming_for_hamlet(db, hamlet_id, limit=1)
    return upcoming[0] if upcoming else None


def assign_to_trip(db, request_id):
    """Put a home-visit request on the next trip to its hamlet that has room."""
    from app import requests as queue

    request = queue.get(db, request_id)
    if not request["hamlet_id"]:
        return None
    candidates = upcoming_for_hamlet(db, request["hamlet_id"], limit=20)
    if not candidates:
        ensure_trips(db)
        candidates = upcoming_for_hamlet(db, request["hamlet_id"], limit=20)
    for trip in candidates:
        if booked(db, trip["id"]) < trip["capacity"]:
            queue.transition(
                db,
                request_id,
                "scheduled",
                actor_type="system",
                action="assigned",
                note=f"trip {trip['date']}",
                trip_id=trip["id"],
                expected_datetime=trip["starts_at"],
            )
            return trip
    return None
