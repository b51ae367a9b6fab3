"""The Android gateway phones: when each was last heard from, its silences, each message's SIM.

Plain functions on the gateway tables, with no network calls, so the webhook, the staff
banner, /healthz and /metrics read the same answer. Each gateway device (a channel of kind
gateway, in any commune) has its own gateway_state row, keyed by its channel id, and is
judged by its own commune's settings and quiet hours. Every signed webhook (system:ping
included) counts as a sign of life of the device it came through. A silence longer than
RECOVERY_GAP opens a window that device is asked to re-deliver its inbox for
(app.delivery.gateway_jobs); the inbound dedupe key makes re-delivered messages harmless.
"""

import dataclasses
import datetime as dt

from app import channels, communes
from app.catalogue import commune_settings, quiet_hours
from app.delivery import gateway_budget
from app.infra import clock, gateway_api
from db import first, transaction

# last_seen is rewritten at most this often, so a burst of webhooks costs one write.
TOUCH_EVERY = dt.timedelta(seconds=30)
# With the app's ping every 5 minutes, two missed pings: something may have been missed.
RECOVERY_GAP = dt.timedelta(minutes=10)
# Around a silent window when asking for re-delivery: the phone's clock may be off.
RECOVERY_MARGIN = dt.timedelta(minutes=5)


@dataclasses.dataclass(frozen=True)
class Silence:
    """The phone has sent nothing since SINCE (aware UTC), for MINUTES whole minutes."""

    since: dt.datetime
    minutes: int


def watched(db, config, commune=None):
    """The gateway devices to watch (of COMMUNE when given), in commune and id order.

    Every registered device is; the first commune's default device only when the
    environment sets a gateway up (it exists in every database, used or not).
    """
    default_in_use = gateway_api.in_use(config)
    return [
        device
        for device in channels.every(db, commune, kind="gateway")
        if default_in_use or not device["is_default"]
    ]


def state(db, channel_id):
    """The gateway_state row of device CHANNEL_ID as a dict ({} before it was ever heard)."""
    return first(db, "SELECT * FROM gateway_state WHERE id = :id", {"id": channel_id}) or {}


def last_seen(db, channel_id):
    """When device CHANNEL_ID last sent a signed webhook (aware UTC), or None if never."""
    return clock.parse(state(db, channel_id).get("last_seen_at"))


def touch(db, channel, event, *, device_id=None, app_version=None, now=None):
    """Record a signed webhook from device CHANNEL; return True when it ends a long silence."""
    now = now or clock.now()
    current = state(db, channel["id"])
    seen = clock.parse(current.get("last_seen_at"))
    unchanged = (device_id or current.get("device_id"), app_version or current.get("app_version"))
    if (
        seen
        and now - seen < TOUCH_EVERY
        and unchanged == (current.get("device_id"), current.get("app_version"))
    ):
        return False
    with transaction(db):
        db.execute(
            "INSERT OR IGNORE INTO gateway_state (id, commune_id) VALUES (:id, :commune_id)",
            {"id": channel["id"], "commune_id": channel["commune_id"]},
        )
        current = state(db, channel["id"])
        seen = clock.parse(current.get("last_seen_at"))
        changes = {
            "last_seen_at": clock.iso(max(now, seen) if seen else now),
            "last_event": event,
            "device_id": device_id or current.get("device_id"),
            "app_version": app_version or current.get("app_version"),
        }
        gap = bool(seen and now - seen > RECOVERY_GAP)
        if gap:
            # Widen a window not yet re-delivered rather than forget part of it.
            start = clock.parse(current.get("gap_from")) or seen
            changes["gap_from"] = clock.iso(min(start, seen))
            changes["gap_until"] = clock.iso(now)
        assignments = ", ".join(f"{column} = :{column}" for column in changes)
        db.execute(
            f"UPDATE gateway_state SET {assignments} WHERE id = :id",
            {**changes, "id": channel["id"]},
        )
    return gap


def silence(db, channel_id, now=None):
    """How long device CHANNEL_ID has been silent, or None if it was never heard from."""
    now = now or clock.now()
    seen = last_seen(db, channel_id)
    if seen is None:
        return None
    return Silence(seen, max(0, int((now - seen).total_seconds() // 60)))


def _of_its_commune(db, device):
    """Bind DEVICE's commune: its settings and quiet hours judge the device."""
    return communes.bound(communes.by_id(db, device["commune_id"]))


def alarm(db, device, now=None):
    """DEVICE's Silence staff must see: longer than its commune's setting, by day; else None."""
    now = now or clock.now()
    with _of_its_commune(db, device):
        quiet = silence(db, device["id"], now)
        limit = commune_settings.gateway_silence_minutes(db)
        if quiet is None or quiet.minutes < limit or quiet_hours.is_quiet(db, now):
            return None
        return quiet


def setup_problem(db, commune_id):
    """COMMUNE_ID's last gateway set-up error (no device, bad keys) if no send worked since."""
    found = first(
        db,
        "SELECT a.id, a.at, a.detail FROM outbox_attempts a JOIN outbox o ON o.id = a.outbox_id"
        " WHERE a.outcome = 'setup' AND o.commune_id = :commune_id ORDER BY a.id DESC LIMIT 1",
        {"commune_id": commune_id},
    )
    if not found:
        return None
    later = db.execute(
        "SELECT 1 FROM outbox_attempts a JOIN outbox o ON o.id = a.outbox_id"
        " WHERE a.id > :id AND a.outcome IN ('accepted', 'found') AND o.commune_id = :commune_id"
        " LIMIT 1",
        {"id": found["id"], "commune_id": commune_id},
    ).fetchone()
    return None if later else found


def health(db, device, now=None):
    """DEVICE's part of /healthz, judged by its own commune's settings."""
    now = now or clock.now()
    current = state(db, device["id"])
    quiet = silence(db, device["id"], now)
    problem = setup_problem(db, device["commune_id"])
    stuck, stuck_since = gateway_budget.stalled(db, now=now, channel_id=device["id"])
    with _of_its_commune(db, device) as commune:
        limit = commune_settings.gateway_silence_minutes(db)
    return {
        "channel_id": device["id"],
        "commune": commune.code,
        "last_seen": current.get("last_seen_at"),
        "last_event": current.get("last_event"),
        "app_version": current.get("app_version"),
        "silent_minutes": quiet.minutes if quiet else None,
        "silent": quiet is None or quiet.minutes >= limit,
        "setup_error": problem["detail"] if problem else None,
        # Accepted by the phone but not sent for 5 minutes: it has stopped sending (Android's
        # dialog waiting for a tap, no signal, no credit) while these wait for it.
        "stalled_messages": stuck,
        "stalled_since": stuck_since,
    }


# The SIM each message came in on ------------------------------------------------------


def note_inbound(db, *, dedupe_key, phone, sim_number, received_at=None):
    """Keep the SIM an inbound gateway message came in on (a repeat changes nothing)."""
    if sim_number is None:
        return
    with transaction(db):
        db.execute(
            "INSERT OR IGNORE INTO gateway_inbound"
            " (commune_id, dedupe_key, phone, sim_number, received_at)"
            " VALUES (:commune_id, :dedupe_key, :phone, :sim_number, :received_at)",
            {
                "commune_id": communes.current_id(),
                "dedupe_key": dedupe_key,
                "phone": phone,
                "sim_number": sim_number,
                "received_at": clock.iso(received_at or clock.now()),
            },
        )


def sim_for(db, commune_id, phone, reply_to_id=None):
    """The SIM to answer PHONE from: the one REPLY_TO_ID came in on, else the last one used.

    Only COMMUNE_ID's inbound messages count: the same person may text another commune's
    phone, whose SIM is no number of ours. None leaves the choice to the phone's default SIM.
    """
    if reply_to_id:
        found = db.execute(
            "SELECT g.sim_number FROM messages m JOIN gateway_inbound g"
            " ON g.dedupe_key = m.dedupe_key AND g.commune_id = m.commune_id"
            " WHERE m.id = :id AND m.commune_id = :commune_id",
            {"id": reply_to_id, "commune_id": commune_id},
        ).fetchone()
        if found:
            return found[0]
    latest = db.execute(
        "SELECT sim_number FROM gateway_inbound WHERE phone = :phone"
        " AND commune_id = :commune_id ORDER BY received_at DESC LIMIT 1",
        {"phone": phone, "commune_id": commune_id},
    ).fetchone()
    return latest[0] if latest else None


# Re-delivery after a silence -----------------------------------------------------------


def recovery_window(db, channel_id):
    """The (since, until) device CHANNEL_ID must re-deliver its inbox for, with the margin."""
    current = state(db, channel_id)
    start, end = clock.parse(current.get("gap_from")), clock.parse(current.get("gap_until"))
    if not start or not end:
        return None
    return start - RECOVERY_MARGIN, end + RECOVERY_MARGIN


def recovery_asked(db, channel_id, *, until, note, now=None):
    """Close device CHANNEL_ID's window once it accepted the request (or note why not)."""
    now = now or clock.now()
    with transaction(db):
        current = state(db, channel_id)
        done = clock.parse(current.get("gap_until"))
        # A silence that began again since the request was made stays open.
        clear = note == "asked" and done and done <= until
        db.execute(
            "UPDATE gateway_state SET recovery_asked_at = :at, recovery_note = :note"
            + (", gap_from = NULL, gap_until = NULL" if clear else "")
            + " WHERE id = :id",
            {"at": clock.iso(now), "note": note, "id": channel_id},
        )
