"""Field mode: the trip on the team's phone, and the results it sends back, each applied once.

A phone records results without coverage and sends them later, each with an idempotency key
it made when the officer tapped. A key seen before returns the first answer and changes
nothing. When the office has changed the request in the meantime (moved it to another trip,
cancelled it, recorded a result itself), the field result is not forced onto it: it is kept
as a note on the request, where the office sees it, and the phone is told so.
"""

import datetime as dt
import re

from app import communes, lifecycle, trips
from app.infra import clock
from app.language.texts import N_
from app.request_queue import service_requests
from db import insert, rows

RESULTS = ("visited", "unreachable", "note")
# \Z, not $: "$" also matches before a trailing newline, which a key must not carry.
KEY = re.compile(r"\A[A-Za-z0-9_-]{8,64}\Z")
MAX_NOTE = 1000
# Why a result was kept as a note instead of changing the request.
KEPT_REASONS = {
    "moved": N_("the office moved this visit to another trip"),
    "cancelled": N_("the office cancelled this visit"),
    "closed": N_("a result was already recorded for this visit"),
    "early": N_("the trip's date has not come yet"),
}


class FieldError(ValueError):
    """Raised when a sent result cannot be read; the message says which part."""


def sheet(db, trip_id):
    """Return the trip's visits in route order, each with its resident's landmark."""
    lines = trips.trip_sheet(db, trip_id)
    found = rows(
        db,
        "SELECT r.id, res.landmark FROM requests r JOIN residents res ON res.id = r.resident_id"
        " WHERE r.trip_id = :trip_id",
        {"trip_id": trip_id},
    )
    landmarks = {row["id"]: row["landmark"] for row in found}
    return [
        {**line, "number": number, "landmark": landmarks.get(line["request_id"]) or ""}
        for number, line in enumerate(lines, 1)
    ]


def keep_until(trip):
    """When a phone must drop its copy of TRIP: the local midnight after the trip's day.

    Residents' names, phones and needs are on the page; once the day is over the office has
    them, and a phone lost in a hamlet should not carry them any longer.
    """
    return clock.iso(clock.at_local(dt.date.fromisoformat(trip["date"]) + dt.timedelta(1), "00:00"))


def results_for(db, request_id):
    """Return the field results sent for a request, oldest first."""
    return rows(
        db,
        "SELECT * FROM field_results WHERE request_id = :request_id ORDER BY id",
        {"request_id": request_id},
    )


def kept_as_notes(db, commune, limit=10):
    """Return COMMUNE's latest field results kept as notes, with the request's reference."""
    return communes.scoped_rows(
        db,
        commune,
        "SELECT f.*, r.ref, res.name AS resident_name FROM field_results f"
        " JOIN requests r ON r.id = f.request_id"
        " LEFT JOIN residents res ON res.id = r.resident_id"
        " WHERE f.commune_id = :commune_id AND f.outcome = 'kept_as_note'"
        " ORDER BY f.id DESC LIMIT :limit",
        {"limit": limit},
    )


def _recorded_at(value):
    """Read the phone's ISO time of the tap; a missing or absurd one becomes now."""
    now = clock.now()
    try:
        moment = clock.parse(str(value)) if value else None
    except ValueError:
        moment = None
    # A phone's clock can be wrong; a tap in the future or a year back is not believed.
    if moment is None or moment > now + dt.timedelta(minutes=5):
        return clock.iso(now)
    if moment < now - dt.timedelta(days=365):
        return clock.iso(now)
    return clock.iso(moment)


def _why_kept(request, trip, result):
    """Return why RESULT cannot change REQUEST now, or None when it can."""
    if request["status"] == "cancelled":
        return "cancelled"
    if request["trip_id"] != trip["id"]:
        return "moved"
    if result == "note":
        return None
    if request["status"] != "scheduled":
        return "closed"
    if dt.date.fromisoformat(trip["date"]) > clock.local_today():
        return "early"
    return None


def record(db, commune, *, trip_id, request_id, key, result, note=None, recorded_at=None, actor):
    """Apply one result sent from the field to COMMUNE's request, once per KEY and request;
    return the stored row.

    The row's outcome is "applied" (the request changed, or the note was added) or
    "kept_as_note" (its reason says why). Call inside a write transaction.
    """
    key = str(key or "")
    if not KEY.match(key):
        raise FieldError("key")
    if result not in RESULTS:
        raise FieldError("result")
    note = (str(note or "")).strip()[:MAX_NOTE] or None
    if result == "note" and not note:
        raise FieldError("note")
    # A key is the phone's name for one tap on one visit: the same key on another visit is a
    # new result, not a repeat.
    earlier = communes.scoped_first(
        db,
        commune,
        "SELECT * FROM field_results WHERE commune_id = :commune_id AND request_id = :request_id"
        " AND idempotency_key = :key",
        {"request_id": request_id, "key": key},
    )
    if earlier:
        return {**earlier, "repeated": True}
    trip = communes.owned(db, commune, "trips", trip_id)
    # Another commune's request is not there at all, as for a missing one.
    if trip is None or communes.owned(db, commune, "requests", request_id) is None:
        raise lifecycle.RequestNotFound(request_id)
    # Any officer may record on any request from its own page, so a request moved off this
    # trip is still accepted here: as a note, which is what the office needs to see.
    request = lifecycle.get(db, request_id)
    reason = _why_kept(request, trip, result)
    if reason is None and result == "visited":
        service_requests.mark_visited(db, request_id, actor=actor, note=note)
    elif reason is None and result == "unreachable":
        service_requests.mark_unreachable(db, request_id, actor=actor, note=note)
    else:
        lifecycle.record_event(
            db,
            request_id,
            "field_note" if reason is None else f"field_{result}_kept",
            actor_type="staff",
            actor=actor,
            channel="field",
            note=note,
        )
    row = {
        "commune_id": commune.id,
        "idempotency_key": key,
        "trip_id": trip_id,
        "request_id": request_id,
        "result": result,
        "note": note,
        "recorded_at": _recorded_at(recorded_at),
        "received_at": clock.iso(clock.now()),
        "actor": actor,
        "outcome": "applied" if reason is None else "kept_as_note",
        "reason": reason,
    }
    insert(db, "field_results", row)
    return {**row, "repeated": False}
