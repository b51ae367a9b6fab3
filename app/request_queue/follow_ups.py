"""Follow-ups: what an officer still owes a resident, on top of the queue until it is done.

A call back promised to a resident (the emergency SMS promises one) is due within the hour;
a visit where the team found nobody waits for an officer to rebook it, call first, or close
it with a reason. Neither ends by itself: an officer records how it ended, and why.
"""

import datetime as dt

from app import communes, lifecycle
from app.infra import clock
from db import first, insert_returning, rows, update_returning

CALL_BACK, NOT_HOME = "call_back", "not_home"
KINDS = (CALL_BACK, NOT_HOME)
# The emergency SMS says staff will call back: an hour is what "soon" can honestly mean.
CALL_BACK_WITHIN = dt.timedelta(hours=1)
OUTCOMES = {
    CALL_BACK: ("called", "not_called"),
    NOT_HOME: ("rebooked", "call_first", "closed"),
}


class FollowUpError(ValueError):
    """Raised when a follow-up cannot end the way asked (no reason given, already done)."""


def open_follow_up(db, request_id, kind, *, due_at=None, actor=None, note=None):
    """Open a follow-up of KIND on a request, or return the one still open; return its row."""
    found = open_of_kind(db, request_id, kind)
    if found:
        return found
    if kind == CALL_BACK and due_at is None:
        due_at = clock.iso(clock.now() + CALL_BACK_WITHIN)
    created = insert_returning(
        db,
        "follow_ups",
        {
            "commune_id": communes.current_id(),
            "request_id": request_id,
            "kind": kind,
            "due_at": due_at,
            "created_at": clock.iso(clock.now()),
            "created_by": actor,
            "note": note,
        },
    )
    lifecycle.record_event(
        db,
        request_id,
        f"follow_up_{kind}",
        actor_type="staff" if actor else "system",
        actor=actor,
        channel="staff" if actor else None,
        note=note,
    )
    return created


def open_of_kind(db, request_id, kind):
    """Return the request's open follow-up of KIND, or None."""
    return first(
        db,
        "SELECT * FROM follow_ups WHERE request_id = :request_id AND kind = :kind"
        " AND done_at IS NULL",
        {"request_id": request_id, "kind": kind},
    )


def for_request(db, request_id):
    """Every follow-up of a request, open ones first, then newest first."""
    return rows(
        db,
        "SELECT * FROM follow_ups WHERE request_id = :request_id"
        " ORDER BY done_at IS NOT NULL, id DESC",
        {"request_id": request_id},
    )


def get(db, follow_up_id):
    """Return one follow-up, or raise LookupError."""
    found = first(db, "SELECT * FROM follow_ups WHERE id = :id", {"id": follow_up_id})
    if found is None:
        raise LookupError(follow_up_id)
    return found


def on_request(db, commune, request_id, follow_up_id):
    """Return the follow-up if it is on REQUEST_ID in COMMUNE, else None (a 404 to a caller)."""
    return communes.scoped_first(
        db,
        commune,
        "SELECT * FROM follow_ups WHERE id = :id AND request_id = :request_id"
        " AND commune_id = :commune_id",
        {"id": follow_up_id, "request_id": request_id},
    )


def finish(db, follow_up_id, *, outcome, actor, note=None):
    """Record how a follow-up ended; an ending other than the plain one needs a reason."""
    follow_up = get(db, follow_up_id)
    if follow_up["done_at"]:
        raise FollowUpError("this follow-up is already done")
    if outcome not in OUTCOMES[follow_up["kind"]]:
        raise FollowUpError(f"{outcome} does not end a {follow_up['kind']}")
    note = (note or "").strip() or None
    if outcome in ("not_called", "closed") and not note:
        raise FollowUpError("say why")
    done = update_returning(
        db,
        "follow_ups",
        "id",
        follow_up_id,
        {
            "done_at": clock.iso(clock.now()),
            "done_by": actor,
            "outcome": outcome,
            "note": note or follow_up["note"],
        },
    )
    lifecycle.record_event(
        db,
        follow_up["request_id"],
        f"follow_up_{outcome}",
        actor_type="staff",
        actor=actor,
        channel="staff",
        note=note,
    )
    return done


def finish_all(db, request_id, kind, *, outcome, actor, note=None):
    """Finish the request's open follow-up of KIND, if any (a later action settled it)."""
    found = open_of_kind(db, request_id, kind)
    if found:
        finish(db, found["id"], outcome=outcome, actor=actor, note=note)


def open_list(db, commune, limit=20):
    """COMMUNE's open follow-ups, most overdue first, with the request and resident."""
    return communes.scoped_rows(
        db,
        commune,
        "SELECT f.*, r.ref, r.kind AS request_kind, r.status AS request_status,"
        " res.name AS resident_name, res.phone, h.name AS hamlet_name"
        " FROM follow_ups f JOIN requests r ON r.id = f.request_id"
        " LEFT JOIN residents res ON res.id = r.resident_id"
        " LEFT JOIN hamlets h ON h.id = r.hamlet_id"
        " WHERE f.commune_id = :commune_id AND f.done_at IS NULL"
        " ORDER BY f.due_at IS NULL, f.due_at, f.id LIMIT :limit",
        {"limit": limit},
    )


def open_count(db, commune):
    """How many follow-ups COMMUNE's officers still owe."""
    return communes.scoped_first(
        db,
        commune,
        "SELECT count(*) AS n FROM follow_ups WHERE commune_id = :commune_id AND done_at IS NULL",
    )["n"]
