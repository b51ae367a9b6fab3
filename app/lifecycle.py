"""Request lifecycle: statuses, allowed transitions and the event trail of every change.

The queue (app.requests) and the trip engine (app.trips) both move requests; this module is
what they share, so neither has to import the other to change a status.
"""

from app import clock
from db import first, insert, rows, update_returning

VISIT, QUESTION = "visit", "question"
VISIT_SERVICE_CODE = "VISIT"
QUESTION_SERVICE_CODE = "QUESTION"

KINDS = (VISIT, QUESTION)

# The one home of request statuses: every list of them elsewhere is derived from these.
OPEN_STATUSES = {VISIT: ("new", "scheduled"), QUESTION: ("open",)}
ALL_OPEN_STATUSES = OPEN_STATUSES[VISIT] + OPEN_STATUSES[QUESTION]
INITIAL_STATUS = {VISIT: "new", QUESTION: "open"}
TRANSITIONS = {
    VISIT: {
        "new": {"scheduled", "cancelled", "unreachable"},
        "scheduled": {"scheduled", "new", "visited", "cancelled", "unreachable"},
        "unreachable": {"scheduled", "new", "cancelled"},
        "visited": set(),
        "cancelled": set(),
    },
    QUESTION: {
        "open": {"answered", "closed"},
        "answered": {"closed", "open"},
        "closed": {"open"},
    },
}
CLOSED_STATUSES = {"visited", "cancelled", "unreachable", "answered", "closed"}
# Every status, in the order the console lists them.
ALL_STATUSES = (
    "new",
    "scheduled",
    "visited",
    "unreachable",
    "cancelled",
    "open",
    "answered",
    "closed",
)
# A visit in one of these is on its trip's sheet: booked, or done one way or the other.
ON_TRIP_STATUSES = ("scheduled", "visited", "unreachable")
# Statuses a visit can be (re)booked onto a trip from.
BOOKABLE = ("new", "scheduled", "unreachable")


def sql_list(statuses):
    """Render STATUSES as an SQL list, ('new', 'scheduled'); they are constants, never input."""
    return "(" + ", ".join(f"'{status}'" for status in statuses) + ")"


class InvalidTransition(ValueError):
    """Raised when a request cannot move from its status to the one asked for."""


class RequestNotFound(LookupError):
    """Raised when no request has the given id or reference."""


def get(db, request_id):
    """Return a request row by id, or raise RequestNotFound."""
    request = first(db, "SELECT * FROM requests WHERE id = ?", [request_id])
    if request is None:
        raise RequestNotFound(request_id)
    return request


def record_event(
    db,
    request_id,
    action,
    *,
    actor_type,
    actor=None,
    channel=None,
    from_status=None,
    to_status=None,
    note=None,
):
    """Append an event to a request's history."""
    insert(
        db,
        "request_events",
        {
            "request_id": request_id,
            "at": clock.iso(clock.now()),
            "actor_type": actor_type,
            "actor": actor,
            "channel": channel,
            "action": action,
            "from_status": from_status,
            "to_status": to_status,
            "note": note,
        },
    )


def notice_key(db, kind, request_id):
    """The outbox dedupe key of a notice about the request's latest change.

    It names the event that caused the notice, so a retry of the same change queues nothing
    new, while two changes in the same second each get their notice.
    """
    latest = db.execute(
        "SELECT max(id) FROM request_events WHERE request_id = ?", [request_id]
    ).fetchone()[0]
    return f"{kind}:{request_id}:{latest}"


def events(db, request_id):
    """Return a request's history, oldest first."""
    return rows(db, "SELECT * FROM request_events WHERE request_id = ? ORDER BY id", [request_id])


def transition(
    db,
    request_id,
    to_status,
    *,
    actor_type,
    actor=None,
    channel=None,
    note=None,
    action=None,
    **fields,
):
    """Move a request to TO_STATUS, or raise InvalidTransition; records an event."""
    request = get(db, request_id)
    allowed = TRANSITIONS[request["kind"]].get(request["status"], set())
    if to_status not in allowed:
        raise InvalidTransition(
            f"request {request['ref']} cannot go from {request['status']} to {to_status}"
        )
    stamp = clock.iso(clock.now())
    changes = {"status": to_status, "updated_at": stamp, **fields}
    if to_status in CLOSED_STATUSES:
        changes["closed_at"] = stamp
    elif request["closed_at"]:
        changes["closed_at"] = None
    if note is not None:
        changes.setdefault("status_notes", note)
    updated = update_returning(db, "requests", "id", request_id, changes)
    record_event(
        db,
        request_id,
        action or to_status,
        actor_type=actor_type,
        actor=actor,
        channel=channel,
        from_status=request["status"],
        to_status=to_status,
        note=note,
    )
    return updated
