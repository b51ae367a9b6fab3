"""Open311 API keys: one commune's each, shown once, stored as a SHA-256 hash."""

import hashlib
import secrets

from app import communes
from app.infra import clock
from db import transaction, update

PREFIX_LENGTH = 8


def _hash(key):
    """Hash a key for storage and lookup."""
    return hashlib.sha256(key.encode()).hexdigest()


def create_key(db, commune, name):
    """Create a key of COMMUNE for NAME; return the plain key (the only time it exists)."""
    key = "hl_" + secrets.token_urlsafe(32)
    db["api_keys"].insert(
        {
            "commune_id": commune.id,
            "name": name,
            "prefix": key[:PREFIX_LENGTH],
            "key_hash": _hash(key),
            "created_at": clock.iso(clock.now()),
        }
    )
    return key


def verify(db, key):
    """Return the active key row matching KEY, or None."""
    if not key or len(key) > 200:
        return None
    rows = list(
        db["api_keys"].rows_where(
            "key_hash = :key_hash AND revoked_at IS NULL", {"key_hash": _hash(key)}
        )
    )
    return rows[0] if rows else None


def revoke(db, commune, key_id):
    """Revoke one of COMMUNE's keys so it no longer works."""
    db.execute(
        "UPDATE api_keys SET revoked_at = :now WHERE id = :id AND commune_id = :commune_id",
        {"now": clock.iso(clock.now()), "id": key_id, "commune_id": commune.id},
    )


def all_keys(db, commune):
    """Return COMMUNE's key rows, newest first (hashes only, never the keys)."""
    return communes.scoped_rows(
        db, commune, "SELECT * FROM api_keys WHERE commune_id = :commune_id ORDER BY id DESC"
    )


def mark_used(db, key, *, every_seconds=60):
    """Stamp when KEY was last used, at most once per EVERY_SECONDS (a write costs the lock)."""
    last = clock.parse(key["last_used_at"])
    now = clock.now()
    if not last or (now - last).total_seconds() > every_seconds:
        with transaction(db):
            update(db, "api_keys", "id", key["id"], {"last_used_at": clock.iso(now)})
