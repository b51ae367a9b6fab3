"""What a channel learns about a resident: the one way to change a profile, and what is only said.

The console, a walk-in and the API change a profile through `update_resident`, which keeps the
priority of the resident's open requests in step; what an API caller says that differs from
the profile is kept on the request (`note_reported`) and changes nothing.
"""

from app import residents
from app.catalogue import hamlets
from app.lifecycle import record_event
from app.request_queue import service_requests
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
