"""Sign-in throttling: failed attempts per address and username, kept in login_attempts."""

import datetime as dt

from app import clock

WINDOW = dt.timedelta(minutes=15)
MAX_FAILURES = 5  # per address and username within WINDOW
MAX_FAILURES_PER_ADDRESS = 20  # any username, so guessing many names is slowed too


def record(db, remote_addr, username, ok, user_id=None):
    """Store one sign-in attempt; a success also stamps the account's last sign-in."""
    if ok and user_id:
        db["staff_users"].update(user_id, {"last_login_at": clock.iso(clock.now())})
    db["login_attempts"].insert(
        {
            "username": (username or "").strip().lower()[:100],
            "remote_addr": remote_addr or "",
            "at": clock.iso(clock.now()),
            "ok": 1 if ok else 0,
        }
    )


def is_locked(db, remote_addr, username):
    """Tell whether this address may not try again yet (too many recent failures)."""
    since = clock.iso(clock.now() - WINDOW)
    name = (username or "").strip().lower()[:100]
    addr = remote_addr or ""
    # Failures before the last success for this name no longer count.
    last_ok = db.execute(
        "SELECT max(at) FROM login_attempts WHERE remote_addr = ? AND username = ? AND ok = 1",
        [addr, name],
    ).fetchone()[0]
    start = max(since, last_ok or "")
    for_name = db.execute(
        "SELECT count(*) FROM login_attempts"
        " WHERE remote_addr = ? AND at > ? AND username = ? AND ok = 0",
        [addr, start, name],
    ).fetchone()[0]
    if for_name >= MAX_FAILURES:
        return True
    for_address = db.execute(
        "SELECT count(*) FROM login_attempts WHERE remote_addr = ? AND at > ? AND ok = 0",
        [addr, since],
    ).fetchone()[0]
    return for_address >= MAX_FAILURES_PER_ADDRESS


def prune(db, older_than=dt.timedelta(days=30)):
    """Delete attempts older than a month; they no longer matter."""
    db.execute("DELETE FROM login_attempts WHERE at < ?", [clock.iso(clock.now() - older_than)])
