"""Per-process cache of catalogue data (hamlets, procedures, settings) and what is built from it.

Every message needs the procedures, the active hamlets and a few settings, and they change
only when staff edit them. Each entry is kept with the catalog_version token it was loaded
at; every lookup reads the token (one indexed row) and reloads when it differs. Triggers
change the token in the same transaction as any edit of those tables (migration 0007), so
an edit in one gunicorn worker is seen by the next message in every other one.

Inside `pinned(db)` (an inbound message's write transaction) the token is read once.

Entries are kept per database file, name and SCOPE (a commune's id): a catalogue edit in one
commune never serves another commune's text, and two databases in one process (tests, a
restore beside the live file) never read each other's catalogue, whatever their tokens.
Cached values are shared: callers must treat them as read-only.
"""

import contextlib

_entries = {}


def version(db):
    """Return the database's current catalog_version token (once per pinned block)."""
    pin = getattr(db, "catalog_pin", None)
    if pin is None:
        return _read_version(db)
    if not pin:
        pin.append(_read_version(db))
    return pin[0]


def _read_version(db):
    """Read the catalog_version token."""
    return db.conn.execute("SELECT version FROM catalog_version WHERE id = 1").fetchone()[0]


@contextlib.contextmanager
def pinned(db):
    """Read the catalogue token at most once inside the block.

    For a write transaction that edits no hamlet, procedure or setting: it holds the
    write lock, so no other connection can change the token until it ends.
    """
    previous = getattr(db, "catalog_pin", None)
    db.catalog_pin = []  # filled by the first version() inside the block
    try:
        yield
    finally:
        db.catalog_pin = previous


def cached(db, name, load, scope=None):
    """Return LOAD(db) for the catalogue as it is now, once per catalogue version and SCOPE.

    SCOPE is the commune LOAD reads for (None for province-wide data).
    """
    # The token is read before LOAD runs: data loaded after a concurrent edit is then at
    # worst newer than its token, which only costs one extra reload.
    current = version(db)
    key = (_database_key(db), name, scope)
    entry = _entries.get(key)
    if entry is not None and entry[0] == current:
        return entry[1]
    value = load(db)
    _entries[key] = (current, value)
    return value


def _database_key(db):
    """Which database DB is: its file, shared by every connection to it, or the connection."""
    path = getattr(db, "file_path", None)
    # An in-memory database is its connection's alone.
    return path if path not in (None, ":memory:", "") else ("connection", id(db.conn))


def _settings_of(commune_id):
    """A loader of one commune's settings, as a dict of key to value."""

    def load(db):
        return dict(
            db.conn.execute(
                "SELECT key, value FROM settings WHERE commune_id = :commune_id",
                {"commune_id": commune_id},
            ).fetchall()
        )

    return load


def setting(db, key, default, commune_id):
    """Return COMMUNE_ID's value of setting KEY, or DEFAULT when it is missing or blank."""
    value = cached(db, "settings", _settings_of(commune_id), commune_id).get(key)
    return default if value in (None, "") else value


def voice_versions(db):
    """(catalogue token, prompt token): what a rendered voice menu depends on, in one read."""
    return tuple(
        db.conn.execute(
            "SELECT catalog_version.version, prompt_version.version"
            " FROM catalog_version, prompt_version"
        ).fetchone()
    )
