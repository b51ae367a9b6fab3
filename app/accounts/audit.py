"""The change log of admin work that is not about one request: settings, places, people, keys.

Each entry belongs to the commune it was done in; the province's reads are logged here too.
"""

from app import communes
from app.infra import clock
from db import first, insert


def record(db, commune=None, *, actor, action, target=None, note=None):
    """Append one change in COMMUNE (the bound one when None), in the caller's transaction, so
    it exists only if the change does.
    """
    insert(
        db,
        "audit_log",
        {
            "commune_id": commune.id if commune is not None else communes.current_id(),
            "at": clock.iso(clock.now()),
            "actor": actor,
            "action": action,
            "target": target,
            "note": note,
        },
    )


def recent(db, commune=None, limit=50):
    """Return COMMUNE's (the bound one's when None) newest changes first."""
    if commune is None:
        commune = communes.by_id(db, communes.current_id())
    return communes.scoped_rows(
        db,
        commune,
        "SELECT * FROM audit_log WHERE commune_id = :commune_id ORDER BY id DESC LIMIT :limit",
        {"limit": limit},
    )


def last_at(db, *, action, target, since):
    """When ACTION was last done to TARGET after SINCE, in any commune, or None.

    Accounts are the province's, not a commune's: an unlock in one commune lifts the wait.
    """
    return first(
        db,
        "SELECT max(at) AS at FROM audit_log"
        " WHERE action = :action AND target = :target AND at > :since",
        {"action": action, "target": target, "since": since},
    )["at"]
