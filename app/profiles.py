"""What a channel learns about a resident: the one way to change a profile, and what is only said.

The console, a walk-in and the API change a profile through `update_resident`, which keeps the
priority of the resident's open requests in step; what an API caller says that differs from
the profile is kept on the request (`note_reported`) and changes nothing.
"""

from app import residents, trips
from app.catalogue import hamlets
from app.infra import clock
from app.lifecycle import events, get, record_event
from app.request_queue import said_facts, service_requests
from db import update as update_row


def update_resident(db, resident_id, changes, *, actor, actor_type="staff", channel="staff"):
    """Change a resident's profile; note it on their open requests and refresh their priority.

    Every channel that learns something about a resident (the console, a walk-in, the API)
    changes it here, so the trip sheet's order never goes stale.
    """
    before = residents.get(db, resident_id)
    after = residents.update(db, resident_id, **changes)
    changed = sorted(key for key in changes if before[key] != after[key])
    if not changed:
        return after
    priority = 1 if residents.is_vulnerable(after) else 0
    for request in service_requests.open_requests_for(db, resident_id):
        if request["priority"] != priority:
            # Vulnerability decides the order on the trip sheet and who a full trip keeps.
            update_row(db, "requests", "id", request["id"], {"priority": priority})
            if priority > (request["priority"] or 0):
                trips.replan(db, request["id"], actor_type=actor_type, actor=actor)
        record_event(
            db,
            request["id"],
            "resident_updated",
            actor_type=actor_type,
            actor=actor,
            channel=channel,
            note=", ".join(changed),
        )
    return after


def note_reported(db, request, resident, *, name, flags, actor):
    """Keep on REQUEST what a caller said about RESIDENT that the profile does not say."""
    said = []
    if name and name != resident["name"]:
        said.append(f"name: {name}")
    if request["hamlet_id"] and request["hamlet_id"] != resident["hamlet_id"]:
        hamlet = hamlets.get(db, request["hamlet_id"])
        said.append(f"hamlet: {hamlet['name'] if hamlet else request['hamlet_id']}")
    said += [
        f"{flag}: {'yes' if value else 'no'}"
        for flag, value in flags.items()
        if value is not None and bool(value) != bool(resident[flag])
    ]
    if said:
        record_event(
            db,
            request["id"],
            "reported",
            actor_type="api",
            actor=actor,
            channel="api",
            note="; ".join(said),
        )


def said_on(db, request_id):
    """Everything the resident said on a request: its words, then what they wrote since."""
    request = get(db, request_id)
    later = [
        event["note"] or ""
        for event in events(db, request_id)
        if event["action"] == "resident_wrote"
    ]
    return "\n".join([request["description"] or "", *later])


def said_suggestions(db, request_id, resident):
    """The facts the resident stated on a request that their profile does not say yet."""
    return said_facts.suggestions(said_on(db, request_id), resident, clock.local_today())


def accept_said(db, request_id, field, *, actor):
    """An officer accepts one stated fact: the profile, priority and trips follow at once."""
    request = get(db, request_id)
    resident = residents.get(db, request["resident_id"])
    found = [s for s in said_suggestions(db, request_id, resident) if s.field == field]
    if not found:
        raise ValueError("nothing of that kind was said, or the profile already says it")
    changes = said_facts.profile_changes(found[0], clock.local_today())
    return update_resident(db, resident["id"], changes, actor=actor)
