"""Trips: the team's schedule of hamlet visits and the assignment of requests to them.

The modules build on each other in one direction: schedule (trips, rules, generation) ←
notices (what the resident is told) ← assignment (booking and bumping) ← changes (what staff
do to the schedule); sheet is what the console shows. Callers use the names below.
"""

from app.trips.assignment import (
    BOOKABLE,
    assign_to_trip,
    assign_waiting,
    booking_event,
    booking_fields,
    first_with_room,
    on_trip,
    replan,
)
from app.trips.changes import add_extra_trip, cancel_trip, move_to_trip, save_rule, serve_hamlet
from app.trips.notices import notify_schedule, queue_reminder
from app.trips.schedule import (
    SESSIONS,
    TripError,
    TripFull,
    booked,
    ensure_trips,
    get,
    get_rule,
    hamlet_ids,
    list_rules,
    next_trip_for,
    public_holidays,
    skipped_holidays,
    upcoming_for_hamlet,
)
from app.trips.sheet import capacity_summary, trip_sheet

__all__ = [
    "BOOKABLE",
    "SESSIONS",
    "TripError",
    "TripFull",
    "add_extra_trip",
    "assign_to_trip",
    "assign_waiting",
    "booked",
    "booking_event",
    "booking_fields",
    "cancel_trip",
    "capacity_summary",
    "ensure_trips",
    "first_with_room",
    "get",
    "get_rule",
    "hamlet_ids",
    "list_rules",
    "move_to_trip",
    "next_trip_for",
    "notify_schedule",
    "on_trip",
    "public_holidays",
    "queue_reminder",
    "replan",
    "save_rule",
    "serve_hamlet",
    "skipped_holidays",
    "trip_sheet",
    "upcoming_for_hamlet",
]
