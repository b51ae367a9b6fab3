"""Open311 API keys: shown once, stored as a SHA-256 hash."""

import hashlib
import secrets

from app import clock

PREFIX_LENGTH = 8


def _hash(key):
    """Hash a key for storage and lookup."""
    return hashlib.sha256(key.encode()).hexdigest()


def create_key(db, name):
    """Create a key for NAME; return the plain key (the only time it exists)."""
    key = "hl_" + secrets.token_urlsafe(32)
    db["api_keys"].insert(
        {
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
    rows = list(db["api_keys"].rows_where("key_hash = ? AND revoked_at IS NULL", [_hash(key)]))
    return rows[0] if rows else None


def revoke(db, key_id):
    """Revoke a key so it no longer works."""
    db["api_keys"].update(key_id, {"revoked_at": clock.iso(clock.now())})


def all_keys(db):
    """Return every key row, newest first (hashes only, never the keys)."""
    return list(db["api_keys"].rows_where(order_by="id desc"))
