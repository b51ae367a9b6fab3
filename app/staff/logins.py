"""Sign-in throttling: failures per address and username, per username, and per trusted device.

Counting per (address, username) stops one machine guessing one account; counting per
username stops guesses spread over many addresses. Neither counts failures for other names,
so random usernames from one address (or from everyone behind one proxy) lock nobody out.
A browser where the officer signed in before carries a signed device cookie (OWASP's "device
cookies"); its attempts count only against that cookie, so an attacker who locks a username
from everywhere else still does not lock its owner out of their own browser.
"""

import datetime as dt
import secrets

from itsdangerous import BadSignature, URLSafeTimedSerializer

from app import clock

WINDOW = dt.timedelta(minutes=15)
MAX_FAILURES = 5  # per address and username, or per trusted device, within WINDOW
MAX_FAILURES_PER_USERNAME = 20  # from any address without the device cookie
DEVICE_COOKIE = "hl_device"
DEVICE_COOKIE_DAYS = 30


def name_key(username):
    """The form a username is counted under."""
    return (username or "").strip().lower()[:100]


def _serializer(secret_key):
    return URLSafeTimedSerializer(secret_key, salt="hamlet-line.device")


def new_device_token(secret_key, username):
    """Return a signed device cookie value for USERNAME (after a successful sign-in)."""
    return _serializer(secret_key).dumps({"u": name_key(username), "d": secrets.token_hex(8)})


def trusted_device(secret_key, token, username):
    """Return the device id of a valid cookie TOKEN issued to USERNAME, else None."""
    if not token:
        return None
    try:
        data = _serializer(secret_key).loads(token, max_age=DEVICE_COOKIE_DAYS * 86400)
    except BadSignature:
        return None
    if not isinstance(data, dict) or data.get("u") != name_key(username):
        return None
    device = data.get("d")
    return device if isinstance(device, str) else None


def record(db, remote_addr, username, ok, user_id=None, device=None):
    """Store one sign-in attempt; a success also stamps the account's last sign-in."""
    if ok and user_id:
        db["staff_users"].update(user_id, {"last_login_at": clock.iso(clock.now())})
    db["login_attempts"].insert(
        {
            "username": name_key(username),
            "remote_addr": remote_addr or "",
            "at": clock.iso(clock.now()),
            "ok": 1 if ok else 0,
            "device": device,
        }
    )


def _failures_since_success(db, where, params, since):
    """Count failures matching WHERE in the window, after the last success matching it."""
    last_ok = db.execute(
        f"SELECT max(at) FROM login_attempts WHERE {where} AND ok = 1", params
    ).fetchone()[0]
    start = max(since, last_ok or "")
    return db.execute(
        f"SELECT count(*) FROM login_attempts WHERE {where} AND ok = 0 AND at > ?",
        [*params, start],
    ).fetchone()[0]


def is_locked(db, remote_addr, username, device=None):
    """Tell whether this attempt must wait (too many recent failures for the account)."""
    since = clock.iso(clock.now() - WINDOW)
    name = name_key(username)
    if device:
        where, params = "username = ? AND device = ?", [name, device]
        return _failures_since_success(db, where, params, since) >= MAX_FAILURES
    where, params = "username = ? AND remote_addr = ?", [name, remote_addr or ""]
    if _failures_since_success(db, where, params, since) >= MAX_FAILURES:
        return True
    where, params = "username = ? AND device IS NULL", [name]
    return _failures_since_success(db, where, params, since) >= MAX_FAILURES_PER_USERNAME


def prune(db, older_than=dt.timedelta(days=30)):
    """Delete attempts older than a month; they no longer matter."""
    db.execute("DELETE FROM login_attempts WHERE at < ?", [clock.iso(clock.now() - older_than)])
