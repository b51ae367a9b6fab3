"""Trips as the trip pages list them, one commune's, with their load per hamlet."""

import datetime as dt

from app import communes
from app.infra import clock
from app.lifecycle import ON_TRIP_STATUSES, sql_list


def _marks(values):
    """Named placeholders for VALUES and their parameters."""
    names = {f"t{index}": value for index, value in enumerate(values)}
    return ", ".join(f":{name}" for name in names), names


def trips_with_load(db, commune, trip_rows):
    """Attach hamlets (route order), per-hamlet booked counts and room left to TRIP_ROWS."""
    trips = [dict(row) for row in trip_rows]
    if not trips:
        return trips
    marks, params = _marks([trip["id"] for trip in trips])
    served = communes.scoped_rows(
        db,
        commune,
        "SELECT th.trip_id, h.id, h.name FROM trip_hamlets th JOIN hamlets h ON h.id = th.hamlet_id"
        f" WHERE h.commune_id = :commune_id AND th.trip_id IN ({marks})"
        " ORDER BY h.route_order, h.id",
        params,
    )
    counts = communes.scoped_rows(
        db,
        commune,
        "SELECT trip_id, hamlet_id, status, count(*) AS n FROM requests"
        f" WHERE commune_id = :commune_id AND trip_id IN ({marks})"
        f" AND status IN {sql_list(ON_TRIP_STATUSES)} GROUP BY trip_id, hamlet_id, status",
        params,
    )
    booked = {}
    done = {}
    for row in counts:
        trip_id, hamlet_id, count = row["trip_id"], row["hamlet_id"], row["n"]
        booked[(trip_id, hamlet_id)] = booked.get((trip_id, hamlet_id), 0) + count
        if row["status"] != "scheduled":
            done[trip_id] = done.get(trip_id, 0) + count
    for trip in trips:
        trip["hamlets"] = [
            {"id": row["id"], "name": row["name"], "booked": booked.get((trip["id"], row["id"]), 0)}
            for row in served
            if row["trip_id"] == trip["id"]
        ]
        trip["booked"] = sum(
            count for (trip_id, _hamlet), count in booked.items() if trip_id == trip["id"]
        )
        trip["done"] = done.get(trip["id"], 0)
        trip["remaining"] = max((trip["capacity"] or 0) - trip["booked"], 0)
    return trips


def _trips(db, commune, where, params, order="date, starts_at", limit=None):
    """COMMUNE's trips matching WHERE, with their load."""
    sql = f"SELECT * FROM trips WHERE commune_id = :commune_id AND {where} ORDER BY {order}"
    if limit is not None:
        sql += " LIMIT :limit"
        params = {**params, "limit": limit}
    return trips_with_load(db, commune, communes.scoped_rows(db, commune, sql, params))


def coming_trips(db, commune, limit=6):
    """Return COMMUNE's next trips from today (cancelled ones too, marked), with their load."""
    today = clock.local_today().isoformat()
    return _trips(db, commune, "date >= :today", {"today": today}, limit=limit)


def recent_trips(db, commune, limit=8):
    """Return COMMUNE's latest past trips, most recent first, with their load."""
    today = clock.local_today().isoformat()
    return _trips(
        db, commune, "date < :today", {"today": today}, "date DESC, starts_at DESC", limit
    )


def planned_trips(db, commune, hamlet_id=None, weeks=8):
    """Return COMMUNE's planned trips from now on (optionally serving HAMLET_ID), soonest first."""
    params = {
        "start": clock.iso(clock.now()),
        "end": clock.iso(clock.now() + dt.timedelta(weeks=weeks)),
    }
    where = "status = 'planned' AND starts_at > :start AND starts_at < :end"
    if hamlet_id:
        where += " AND id IN (SELECT trip_id FROM trip_hamlets WHERE hamlet_id = :hamlet_id)"
        params["hamlet_id"] = hamlet_id
    return _trips(db, commune, where, params, order="starts_at")


def trip_choices(db, commune, weeks=8):
    """Return COMMUNE's recent and coming trips for the queue's trip filter."""
    return communes.scoped_rows(
        db,
        commune,
        "SELECT id, date, session, status FROM trips WHERE commune_id = :commune_id"
        " AND date >= :since AND date <= :until ORDER BY date, starts_at",
        {
            "since": (clock.local_today() - dt.timedelta(weeks=2)).isoformat(),
            "until": (clock.local_today() + dt.timedelta(weeks=weeks)).isoformat(),
        },
    )


def trip_requests_for_move(db, commune, request):
    """Return COMMUNE's planned trips a request can move to (those serving its hamlet)."""
    return planned_trips(db, commune, request["hamlet_id"]) if request["hamlet_id"] else []


def trip_row(db, commune, trip_id):
    """Return one of COMMUNE's trips, or None."""
    return communes.owned(db, commune, "trips", trip_id)


def rule_ids(db, commune):
    """The ids of COMMUNE's schedule rules."""
    found = communes.scoped_rows(
        db, commune, "SELECT id FROM schedule_rules WHERE commune_id = :commune_id"
    )
    return {row["id"] for row in found}


def hamlet_ids(db, commune):
    """The ids of COMMUNE's hamlets, active or not."""
    found = communes.scoped_rows(
        db, commune, "SELECT id FROM hamlets WHERE commune_id = :commune_id"
    )
    return {row["id"] for row in found}
