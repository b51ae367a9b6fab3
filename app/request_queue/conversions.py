"""A question or plea that needs the team at home becomes a home visit, in one officer's act.

The visit names the message it came from (requests.origin_request_id). The original is
marked answered by the booking, stays on the emergency list if it was a plea, and is closed
when the visit is done (service_requests.mark_visited), so nothing is left flagged behind.
"""

from app import lifecycle, residents
from app.catalogue import guidance, hamlets
from app.request_queue import service_requests
from app.request_queue.asked import Asked
from db import rows, update

CONVERTIBLE = ("open", "answered")


def visit_from(db, request_id, *, hamlet_id, actor, service_code=None, reason=None):
    """Open a home visit for the resident of question REQUEST_ID; return (visit, created).

    HAMLET_ID is where to go, SERVICE_CODE the procedure (its documents go in the SMS the
    resident already gets with the date), REASON the officer's words. The resident is told
    the date by SMS, the original is marked answered and linked, and both timelines name
    ACTOR. A resident with a visit already open keeps it: the original is linked to that one.
    """
    original = lifecycle.get(db, request_id)
    if original["kind"] != lifecycle.QUESTION or original["status"] not in CONVERTIBLE:
        raise lifecycle.InvalidTransition(f"request {original['ref']} is not an open question")
    if hamlets.get(db, hamlet_id) is None:
        raise ValueError("choose a hamlet")
    if service_code and guidance.get(db, service_code) is None:
        raise ValueError("choose a procedure from the list")
    resident = residents.get(db, original["resident_id"])
    visit, created = service_requests.open_request(
        db,
        Asked.visit(
            resident["phone"],
            "staff",
            hamlet_id=hamlet_id,
            service_code=service_code or None,
            description=reason or original["description"],
            actor_type="staff",
            actor=actor,
            notify=True,
        ),
        resident=resident,
    )
    update(db, "requests", "id", visit["id"], {"origin_request_id": original["id"]})
    lifecycle.record_event(
        db,
        visit["id"],
        "opened_from",
        actor_type="staff",
        actor=actor,
        channel="staff",
        note=original["ref"],
    )
    if original["status"] == "open":
        lifecycle.transition(
            db,
            original["id"],
            "answered",
            actor_type="staff",
            actor=actor,
            channel="staff",
            action="visit_booked",
            note=visit["ref"],
        )
    else:
        lifecycle.record_event(
            db,
            original["id"],
            "visit_booked",
            actor_type="staff",
            actor=actor,
            channel="staff",
            note=visit["ref"],
        )
    return lifecycle.get(db, visit["id"]), created


def linked(db, request_id):
    """The requests linked to REQUEST_ID: visits booked from it, or the message it came from."""
    return rows(
        db,
        "SELECT id, ref, kind, status FROM requests WHERE origin_request_id = :id"
        " OR id = (SELECT origin_request_id FROM requests WHERE id = :id) ORDER BY id",
        {"id": request_id},
    )
