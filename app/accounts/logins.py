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

from app.accounts import audit
from app.infra import clock
from db import first, rows

WINDOW = dt.timedelta(minutes=15)
MAX_FAILURES = 5  # per address and username, or per trusted device, within WINDOW
MAX_FAILURES_PER_USERNAME = 20  # from any address without the device cookie
DEVICE_COOKIE = "hl_device"
DEVICE_COOKIE_DAYS = 30
# An admin's unlock is an audit entry; counting starts again after it.
UNLOCK_ACTION = "account_unlocked"


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


def _window_start(db, name):
    """Where counting starts for NAME: 15 minutes ago, or its admin unlock if later."""
    since = clock.iso(clock.now() - WINDOW)
    return max(since, audit.last_at(db, action=UNLOCK_ACTION, target=name, since=since) or "")


def _failures_since_success(db, where, params, since):
    """Count failures matching WHERE in the window, after the last success matching it."""
    last_ok = first(
        db, f"SELECT max(at) AS at FROM login_attempts WHERE {where} AND ok = 1", params
    )["at"]
    start = max(since, last_ok or "")
    return db["login_attempts"].count_where(
        f"{where} AND ok = 0 AND at > :start", {**params, "start": start}
    )


def tries_left(db, remote_addr, username, device=None):
    """How many more failures this browser may make before it must wait (0: locked)."""
    name = name_key(username)
    since = _window_start(db, name)
    if device:
        where, params = "username = :name AND device = :device", {"name": name, "device": device}
        return max(0, MAX_FAILURES - _failures_since_success(db, where, params, since))
    where = "username = :name AND remote_addr = :address"
    params = {"name": name, "address": remote_addr or ""}
    here = MAX_FAILURES - _failures_since_success(db, where, params, since)
    where, params = "username = :name AND device IS NULL", {"name": name}
    anywhere = MAX_FAILURES_PER_USERNAME - _failures_since_success(db, where, params, since)
    return max(0, min(here, anywhere))


def is_locked(db, remote_addr, username, device=None):
    """Tell whether this attempt must wait (too many recent failures for the account)."""
    return tries_left(db, remote_addr, username, device) == 0


def locked_out(db, username):
    """Tell whether sign-ins to USERNAME are held anywhere: from some address or device."""
    name = name_key(username)
    since = _window_start(db, name)
    where, params = "username = :name AND device IS NULL", {"name": name}
    if _failures_since_success(db, where, params, since) >= MAX_FAILURES_PER_USERNAME:
        return True
    places = rows(
        db,
        "SELECT DISTINCT remote_addr, device FROM login_attempts"
        " WHERE username = :name AND ok = 0 AND at > :since",
        {"name": name, "since": since},
    )
    return any(is_locked(db, p["remote_addr"], name, p["device"]) for p in places)


def unlock(db, commune, username, *, actor):
    """Let USERNAME try again at once, everywhere; COMMUNE's audit log keeps who did it."""
    audit.record(db, commune, actor=actor, action=UNLOCK_ACTION, target=name_key(username))


def prune(db, older_than=dt.timedelta(days=30)):
    """Delete attempts older than a month; they no longer matter."""
    before = clock.iso(clock.now() - older_than)
    db["login_attempts"].delete_where("at < :before", {"before": before})
