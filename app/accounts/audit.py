"""The change log of admin work that is not about one request: settings, places, people, keys."""

from app.infra import clock
from db import insert, rows


def record(db, *, actor, action, target=None, note=None):
    """Append one change, in the caller's transaction, so it exists only if the change does."""
    insert(
        db,
        "audit_log",
        {
            "at": clock.iso(clock.now()),
            "actor": actor,
            "action": action,
            "target": target,
            "note": note,
        },
    )


def recent(db, limit=50):
    """Return the newest changes first."""
    return rows(db, "SELECT * FROM audit_log ORDER BY id DESC LIMIT ?", [limit])


def last_at(db, *, action, target, since):
    """When ACTION was last done to TARGET after SINCE, or None."""
    return db.execute(
        "SELECT max(at) FROM audit_log WHERE action = ? AND target = ? AND at > ?",
        [action, target, since],
    ).fetchone()[0]
