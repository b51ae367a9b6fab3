"""Messages a person must read: emergencies, pleas and long messages (DESIGN.md principle 10).

An automatic answer may go out as well, but such a message is never closed by automation
alone: it marks the request it opened, or the resident's open question, or a new question,
for the staff queue's "needs attention" list, with the resident's full words. Emergencies
sort first. Reading it lowers nothing: the mark goes when the request is closed, and the call
back an emergency SMS promises is a follow-up an officer must finish.
"""

from app import lifecycle
from app.infra import clock
from app.request_queue import follow_ups, service_requests
from app.request_queue.asked import Asked
from db import first, update

EMERGENCY, DISTRESS, LONG = "emergency", "distress", "long"
RANK = {None: 0, LONG: 1, DISTRESS: 2, EMERGENCY: 3}


def open_question_for(db, resident_id):
    """Return the resident's most recent open question, or None."""
    return first(
        db,
        "SELECT * FROM requests WHERE resident_id = :resident_id AND kind = :kind"
        " AND status = 'open' ORDER BY id DESC LIMIT 1",
        {"resident_id": resident_id, "kind": lifecycle.QUESTION},
    )


def for_a_person(db, *, resident, words, reason, request=None, channel="sms", source_key=None):
    """Make sure a person reads WORDS from RESIDENT; return the request that carries them.

    REASON is emergency, distress or long. REQUEST is what the answer opened or touched, if
    anything; otherwise the resident's open question is updated, or a new one opened.
    """
    target = request or open_question_for(db, resident["id"])
    if target is None:
        target, _created = service_requests.open_request(
            db,
            Asked.question(
                resident["phone"],
                channel,
                words,
                source_key=f"{source_key}:person" if source_key else None,
            ),
        )
    elif (target["description"] or "").strip() != words.strip():
        lifecycle.record_event(
            db,
            target["id"],
            "resident_wrote",
            actor_type="resident",
            actor=resident["phone"],
            channel=channel,
            note=words,
        )
    return mark(db, target, reason)


def mark(db, request, reason):
    """Raise REQUEST's attention to REASON (never lower it); return the fresh row."""
    if RANK[reason] > RANK.get(request["attention"], 0):
        update(
            db,
            "requests",
            "id",
            request["id"],
            {"attention": reason, "attention_at": clock.iso(clock.now())},
        )
        lifecycle.record_event(
            db,
            request["id"],
            "attention",
            actor_type="system",
            channel="sms",
            note=reason,
        )
    if reason == EMERGENCY:
        # The emergency SMS tells the resident staff will call back: that is a task now.
        follow_ups.open_follow_up(db, request["id"], follow_ups.CALL_BACK)
    return lifecycle.get(db, request["id"])


def mark_read(db, request_id, *, actor):
    """An officer has read it: say so on the timeline; the request stays on top until closed."""
    lifecycle.record_event(
        db, request_id, "attention_read", actor_type="staff", actor=actor, channel="staff"
    )
    return lifecycle.get(db, request_id)


def read_by(db, request_id):
    """The last officer who marked the request read, with when, or None."""
    return first(
        db,
        "SELECT actor, at FROM request_events WHERE request_id = :request_id"
        " AND action IN ('attention_read', 'attention_cleared') ORDER BY id DESC LIMIT 1",
        {"request_id": request_id},
    )
