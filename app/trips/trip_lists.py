"""Trips as the trip pages list them, with their load per hamlet, in one query each."""

import datetime as dt

from app.infra import clock
from app.lifecycle import ON_TRIP_STATUSES, sql_list


def trips_with_load(db, trip_rows):
    """Attach hamlets (route order), per-hamlet booked counts and room left to TRIP_ROWS."""
    trips = [dict(row) for row in trip_rows]
    if not trips:
        return trips
    ids = [trip["id"] for trip in trips]
    marks = ", ".join("?" * len(ids))
    served = db.execute(
        "SELECT th.trip_id, h.id, h.name FROM trip_hamlets th JOIN hamlets h ON h.id = th.hamlet_id"
        f" WHERE th.trip_id IN ({marks}) ORDER BY h.route_order, h.id",
        ids,
    ).fetchall()
    counts = db.execute(
        "SELECT trip_id, hamlet_id, status, count(*) FROM requests"
        f" WHERE trip_id IN ({marks}) AND status IN {sql_list(ON_TRIP_STATUSES)}"
        " GROUP BY trip_id, hamlet_id, status",
        ids,
    ).fetchall()
    booked = {}
    done = {}
    for trip_id, hamlet_id, status, count in counts:
        booked[(trip_id, hamlet_id)] = booked.get((trip_id, hamlet_id), 0) + count
        if status != "scheduled":
            done[trip_id] = done.get(trip_id, 0) + count
    for trip in trips:
        trip["hamlets"] = [
            {"id": hamlet_id, "name": name, "booked": booked.get((trip["id"], hamlet_id), 0)}
            for trip_id, hamlet_id, name in served
            if trip_id == trip["id"]
        ]
        trip["booked"] = sum(
            count for (trip_id, _hamlet), count in booked.items() if trip_id == trip["id"]
        )
        trip["done"] = done.get(trip["id"], 0)
        trip["remaining"] = max((trip["capacity"] or 0) - trip["booked"], 0)
    return trips


def coming_trips(db, limit=6):
    """Return the next trips from today (cancelled ones too, marked), with their load."""
    today = clock.local_today().isoformat()
    rows = db.query(
        "SELECT * FROM trips WHERE date >= ? ORDER BY date, starts_at LIMIT ?", [today, limit]
    )
    return trips_with_load(db, rows)


def recent_trips(db, limit=8):
    """Return the latest past trips, most recent first, with their load."""
    today = clock.local_today().isoformat()
    rows = db.query(
        "SELECT * FROM trips WHERE date < ? ORDER BY date DESC, starts_at DESC LIMIT ?",
        [today, limit],
    )
    return trips_with_load(db, rows)


def planned_trips(db, hamlet_id=None, weeks=8):
    """Return planned trips from now on (optionally those serving HAMLET_ID), soonest first."""
    start = clock.iso(clock.now())
    end = clock.iso(clock.now() + dt.timedelta(weeks=weeks))
    if hamlet_id:
        rows = db.query(
            "SELECT t.* FROM trips t JOIN trip_hamlets th ON th.trip_id = t.id"
            " WHERE th.hamlet_id = ? AND t.status = 'planned' AND t.starts_at > ?"
            " AND t.starts_at < ? ORDER BY t.starts_at",
            [hamlet_id, start, end],
        )
    else:
        rows = db.query(
            "SELECT * FROM trips WHERE status = 'planned' AND starts_at > ? AND starts_at < ?"
            " ORDER BY starts_at",
            [start, end],
        )
    return trips_with_load(db, rows)


def trip_choices(db, weeks=8):
    """Return recent and coming trips for the queue's trip filter."""
    since = (clock.local_today() - dt.timedelta(weeks=2)).isoformat()
    until = (clock.local_today() + dt.timedelta(weeks=weeks)).isoformat()
    return list(
        db.query(
            "SELECT id, date, session, status FROM trips WHERE date >= ? AND date <= ?"
            " ORDER BY date, starts_at",
            [since, until],
        )
    )


def trip_requests_for_move(db, request):
    """Return the planned trips a request can move to (those serving its hamlet)."""
    return planned_trips(db, request["hamlet_id"]) if request["hamlet_id"] else []
