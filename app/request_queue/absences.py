"""After "not at home": the officer rebooks the visit, calls first, or closes it with a reason.

Each ends the request's not-at-home follow-up (app.request_queue.follow_ups) and says so on
the timeline with the officer's name. The resident was told the team will contact them, so
every way out is an officer's act, never a request that the resident start again.
"""

from app import lifecycle, trips
from app.language.texts import N_
from app.request_queue import follow_ups, service_requests


def _open_absence(db, request_id):
    """The request's open not-at-home follow-up, or a LookupError."""
    found = follow_ups.open_of_kind(db, request_id, follow_ups.NOT_HOME)
    if found is None:
        raise LookupError(request_id)
    return found


def rebook(db, request_id, *, actor):
    """Put the visit on the next trip to its hamlet with room; the resident gets the date."""
    absence = _open_absence(db, request_id)
    request = lifecycle.get(db, request_id)
    missed = trips.get(db, request["trip_id"]) if request["trip_id"] else None
    trip = trips.assign_to_trip(
        db, request_id, after=missed, actor_type="staff", actor=actor, action="rebooked"
    )
    if trip is None:
        raise trips.TripFull(N_("no coming trip to the resident's hamlet has room"))
    trips.notify_schedule(db, lifecycle.get(db, request_id), had_trip=True)
    follow_ups.finish(db, absence["id"], outcome="rebooked", actor=actor, note=trip["date"])
    return lifecycle.get(db, request_id)


def call_first(db, request_id, *, actor, due_at=None):
    """An officer will call before booking again: the follow-up becomes a call back task."""
    absence = _open_absence(db, request_id)
    follow_ups.finish(db, absence["id"], outcome="call_first", actor=actor)
    return follow_ups.open_follow_up(
        db, request_id, follow_ups.CALL_BACK, due_at=due_at, actor=actor
    )


def close(db, request_id, *, actor, reason):
    """Close the visit with the officer's reason (the officer has spoken with the resident)."""
    if not (reason or "").strip():
        raise follow_ups.FollowUpError("say why")
    absence = _open_absence(db, request_id)
    follow_ups.finish(db, absence["id"], outcome="closed", actor=actor, note=reason)
    return service_requests.cancel_request(
        db,
        request_id,
        actor_type="staff",
        actor=actor,
        channel="staff",
        note=reason,
        notify=False,
    )
