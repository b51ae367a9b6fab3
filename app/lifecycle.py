"""Lifecycles: request statuses and their transitions, the event trail, and status wording.

The queue (app.request_queue.service_requests) and the trip engine (app.trips) both move
requests; this module is what they share, so neither has to import the other to change a status.
It is also the one place that says, in words, what each status of a request or an SMS means: the
console, the simulator and the API all show these.
"""

from app import communes
from app.infra import clock
from app.language.texts import N_, NC_
from db import first, insert_many, rows, update_returning

VISIT, QUESTION = "visit", "question"
VISIT_SERVICE_CODE = "VISIT"
QUESTION_SERVICE_CODE = "QUESTION"

KINDS = (VISIT, QUESTION)
# The channels a request comes in by (requests.channel), in the order the console lists them.
CHANNELS = ("sms", "voice", "staff", "api")

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
# A request in one of these is finished for good: nothing about it needs an officer any more.
SETTLED_STATUSES = ("visited", "cancelled", "closed")
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

# What each status means, in the English the API speaks; the console and the simulator
# translate them (N_ marks them for the catalogue).
STATUS_WORDS = {
    "new": N_("Waiting for a trip"),
    "scheduled": N_("Scheduled"),
    "visited": N_("Visited"),
    "unreachable": N_("Not found at home"),
    "cancelled": N_("Cancelled"),
    "open": N_("Open"),
    "answered": N_("Answered"),
    "closed": N_("Closed"),
}

# SMS: the message log's statuses (inbound, then delivery), and the outbox's.
MESSAGE_STATUS_WORDS = {
    # An inbound SMS: stored, then answered by the automatic reply, or left unanswered.
    "received": NC_("message status", "Received"),
    "replied": NC_("message status", "Auto-replied"),
    "ignored": NC_("message status", "Not answered"),
    # An outbound SMS, as its provider reports it.
    "queued": NC_("message status", "Queued"),
    "accepted": NC_("message status", "Queued"),
    "sending": NC_("message status", "Sending"),
    "sent": NC_("message status", "Sent"),
    "delivered": NC_("message status", "Delivered"),
    "read": NC_("message status", "Read"),
    "undelivered": NC_("message status", "Not delivered"),
    "failed": NC_("message status", "Failed"),
    "cancelled": NC_("message status", "Cancelled"),  # the Android gateway's spelling
    "canceled": NC_("message status", "Cancelled"),  # Twilio's
}
OUTBOX_STATUS_WORDS = {
    "pending": N_("Waiting to send"),
    "leased": N_("Sending"),
    "sent": N_("Sent"),
    "failed": N_("Failed"),
    "cancelled": N_("Not sent"),
}
# An outbound SMS in one of these has not left yet, or will never arrive.
SMS_WAITING = ("pending", "leased")
SMS_FAILED = ("failed", "undelivered", "cancelled", "canceled")


def sql_list(statuses):
    """Render STATUSES as an SQL list, ('new', 'scheduled'); they are constants, never input."""
    return "(" + ", ".join(f"'{status}'" for status in statuses) + ")"


class InvalidTransition(ValueError):
    """Raised when a request cannot move from its status to the one asked for."""


class RequestNotFound(LookupError):
    """Raised when no request has the given id or reference."""


def get(db, request_id):
    """Return a request row by id, or raise RequestNotFound."""
    request = first(db, "SELECT * FROM requests WHERE id = :id", {"id": request_id})
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
    record_events(
        db,
        [
            event_row(
                request_id,
                action,
                actor_type=actor_type,
                actor=actor,
                channel=channel,
                from_status=from_status,
                to_status=to_status,
                note=note,
            )
        ],
    )


def event_row(
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
    """The history row of one event, stamped now (record_events stores it)."""
    return {
        "commune_id": communes.current_id(),
        "request_id": request_id,
        "at": clock.iso(clock.now()),
        "actor_type": actor_type,
        "actor": actor,
        "channel": channel,
        "action": action,
        "from_status": from_status,
        "to_status": to_status,
        "note": note,
    }


def record_events(db, events):
    """Append EVENTS (rows from event_row) to the history in one statement."""
    insert_many(db, "request_events", events)


def notice_key(db, kind, request_id):
    """The outbox dedupe key of a notice about the request's latest change.

    It names the event that caused the notice, so a retry of the same change queues nothing
    new, while two changes in the same second each get their notice.
    """
    latest = db.execute(
        "SELECT max(id) FROM request_events WHERE request_id = :request_id",
        {"request_id": request_id},
    ).fetchone()[0]
    return f"{kind}:{request_id}:{latest}"


def events(db, request_id):
    """Return a request's history, oldest first."""
    return rows(
        db,
        "SELECT * FROM request_events WHERE request_id = :request_id ORDER BY id",
        {"request_id": request_id},
    )


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
    if to_status in SETTLED_STATUSES:
        # An emergency or plea stays on top until its request is closed, not when it is read.
        changes.update(attention=None, attention_at=None)
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
