"""What the staff console shows of trips: the printable sheet and the capacity overview."""

import datetime as dt

from app.catalogue import guidance
from app.infra import clock
from app.language import phones
from app.lifecycle import ON_TRIP_STATUSES, sql_list
from app.trips.schedule import booked


def trip_sheet(db, trip_id):
    """Return the printable sheet rows for a trip, in the hamlets' route order.

    Each row: ref, resident name, phone, hamlet, need, documents to check, vulnerable
    (with the reasons), priority and status.
    """
    found = db.query(
        f"""
        SELECT requests.*, residents.name AS resident_name, residents.phone AS phone,
               residents.age_75_plus, residents.lives_alone, residents.limited_mobility,
               hamlets.name AS hamlet_name, hamlets.route_order
        FROM requests
        JOIN residents ON residents.id = requests.resident_id
        LEFT JOIN hamlets ON hamlets.id = requests.hamlet_id
        WHERE requests.trip_id = :trip_id AND requests.status IN {sql_list(ON_TRIP_STATUSES)}
        ORDER BY hamlets.route_order, hamlets.id, requests.priority DESC,
                 requests.requested_at, requests.id
        """,
        {"trip_id": trip_id},
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
        "date >= :today AND date < :end",
        {"today": today.isoformat(), "end": end.isoformat()},
        order_by="starts_at, id",
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


def results_open(trip, today=None):
    """Tell whether results of TRIP's visits can be recorded: from the trip's own day on.

    Before it nothing has happened yet, and "visited" or "not home" would be told to the
    resident by SMS at once (the rule app.request_queue.service_requests enforces).
    """
    today = today or clock.local_today()
    return dt.date.fromisoformat(trip["date"]) <= today
