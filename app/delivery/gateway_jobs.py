"""Scheduled checks on the Android gateway: inbox re-delivery after a silence, and outbound
messages it accepted but never reported on.

Both call the gateway's API (each message through the phone that holds it), so they run in
the worker, outside any transaction, and only when a gateway is configured. The same job
moves waiting messages off a silent phone of a pool (app.delivery.gateway_pool).
"""

import datetime as dt
import logging

import requests
from android_sms_gateway import errors as gateway_errors

from app import channels
from app.delivery import gateway_pool, gateway_watch, message_parts, messages, outbox, transports
from app.infra import clock, gateway_api
from db import first, rows, transaction

log = logging.getLogger(__name__)

# A message the gateway accepted but has not reported sent or failed after this is asked
# about, then again every CHECK_EVERY, for up to CHECK_FOR.
UNREPORTED_AFTER = dt.timedelta(minutes=10)
CHECK_EVERY = dt.timedelta(minutes=10)
CHECK_FOR = dt.timedelta(days=2)
CHECKS_PER_PASS = 20
# A re-delivery request that failed (phone unreachable) is tried again after this.
RECOVERY_RETRY = dt.timedelta(minutes=5)
UNREPORTED = ("queued", "sending")


def recover_inbox(db, device, config, now=None):
    """Ask DEVICE to re-deliver its inbox for a silent window; return True if asked.

    The request goes through the device's own API account, for its own phone id.
    """
    now = now or clock.now()
    window = gateway_watch.recovery_window(db, device["id"])
    if window is None:
        return False
    current = gateway_watch.state(db, device["id"])
    asked = clock.parse(current.get("recovery_asked_at"))
    if current.get("recovery_note") not in (None, "asked") and asked:
        if now - asked < RECOVERY_RETRY:
            return False
    since, until = window
    account = channels.gateway_account(device, config)
    try:
        gateway_api.redeliver_inbox(account, since, until, current.get("device_id"))
    except (gateway_errors.APIError, requests.RequestException) as error:
        log.warning(
            "gateway %s inbox re-delivery for %s..%s failed: %s",
            device["address"],
            since,
            until,
            error,
        )
        note = f"failed: {error}"[:300]
        gateway_watch.recovery_asked(db, device["id"], until=until, note=note, now=now)
        return False
    log.info(
        "asked gateway %s to re-deliver its inbox from %s to %s", device["address"], since, until
    )
    gateway_watch.recovery_asked(db, device["id"], until=until, note="asked", now=now)
    return True


def callable_devices(db, config):
    """Every commune's gateway devices the app can call: each with its own API account."""
    return [
        device
        for device in channels.every(db, kind="gateway")
        if gateway_api.configured(channels.gateway_account(device, config))
    ]


def unreported(db, now, limit=CHECKS_PER_PASS):
    """Outbound gateway messages still queued or sending that are due a state check."""
    return rows(
        db,
        "SELECT * FROM messages WHERE provider = 'gateway' AND direction = 'out'"
        " AND status IN ('queued', 'sending') AND created_at <= :newest AND created_at >= :oldest"
        " AND (delivery_checked_at IS NULL OR delivery_checked_at <= :checked_before)"
        " ORDER BY created_at LIMIT :limit",
        {
            "newest": clock.iso(now - UNREPORTED_AFTER),
            "oldest": clock.iso(now - CHECK_FOR),
            "checked_before": clock.iso(now - CHECK_EVERY),
            "limit": limit,
        },
    )


def reconcile_outbound(db, config, now=None):
    """Ask the gateway about messages it never reported on; return how many changed."""
    now = now or clock.now()
    changed = 0
    for message in unreported(db, now):
        account = _account(db, message, config)
        if account is None:
            _mark_checked(db, message, now)
            continue
        try:
            state = gateway_api.message_state(account, message["provider_id"])
        except (gateway_errors.APIError, requests.RequestException) as error:
            log.warning("state of gateway message %s unknown: %s", message["provider_id"], error)
            _mark_checked(db, message, now)
            continue
        with transaction(db):
            _mark_checked(db, message, now)
            if state is None:
                # Accepted once, now unknown to the gateway: whether it went out cannot be
                # known, so a person decides (a retry sends it again under the same id).
                outbox.mark_provider_failure(
                    db, message["outbox_id"], "the gateway no longer knows this message"
                )
                changed += 1
                continue
            status = transports.gateway_status(state.state)
            error = next((r.error for r in state.recipients if r.error), None)
            before = messages.get(db, message["id"])["status"]
            # The check names no part: "failed" or "delivered" proves one part at least.
            message_parts.check_report(
                db, provider_id=message["provider_id"], status=status, reason=error
            )
            if status in messages.FINAL_FAILURES and status not in message_parts.CHECKED:
                outbox.mark_provider_failure(db, message["outbox_id"], error or status)
            changed += messages.get(db, message["id"])["status"] != before
    return changed


def _account(db, message, config):
    """The API account of the phone holding MESSAGE, else of its commune's first phone.

    None when its commune has no phone to ask: another commune's account never is.
    """
    device = first(
        db,
        "SELECT c.* FROM outbox o JOIN channels c ON c.id = o.channel_id WHERE o.id = :id",
        {"id": message["outbox_id"]},
    )
    if device is None:
        pool = channels.senders(db, message["commune_id"])
        device = pool[0] if pool else None
    return channels.gateway_account(device, config) if device else None


def _mark_checked(db, message, now):
    """Stamp MESSAGE as checked now, so it is asked about again only after CHECK_EVERY."""
    with transaction(db):
        db.execute(
            "UPDATE messages SET delivery_checked_at = :now WHERE id = :id",
            {"now": clock.iso(now), "id": message["id"]},
        )


def run(db, config, now=None):
    """The worker's gateway job: each phone's re-delivery, then the state checks and moves."""
    devices = callable_devices(db, config)
    if not devices:
        return None
    now = now or clock.now()
    return {
        "recovered": sum(recover_inbox(db, device, config, now) for device in devices),
        "checked": reconcile_outbound(db, config, now),
        "moved": gateway_pool.move_stalled(db, config, now),
    }
