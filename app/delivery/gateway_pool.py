"""Moving waiting messages off a gateway phone that has stopped sending, never doubling one.

A commune's pool has several phones. When one holds messages it accepted STALL_AFTER ago and
never sent (Android's dialog, no signal, no credit), they move to a live phone of the same
commune, but only after the silent phone (or the cloud server holding its queue) confirms
each was cancelled before it left: the app cancels only a message still Pending (DELETE
/messages/{id}, capcom6/android-sms-gateway v1.67+). A phone that cannot be asked, or a
message already handed to Android, keeps its messages; staff see the stall.
"""

import logging
import secrets

import requests
from android_sms_gateway import errors as gateway_errors

from app import channels
from app.delivery import attempts, gateway_budget, messages, transports
from app.infra import clock, gateway_api
from db import first, rows, transaction

log = logging.getLogger(__name__)

MOVES_PER_PASS = 50


def stuck(db, now, limit=MOVES_PER_PASS):
    """Outbox rows a device accepted STALL_AFTER ago and has not sent, by device."""
    return rows(
        db,
        "SELECT o.* FROM outbox o JOIN messages m"
        " ON m.provider = 'gateway' AND m.provider_id = o.provider_id"
        " WHERE o.channel_id IS NOT NULL AND o.status = 'sent' AND m.status = 'queued'"
        " AND o.sent_at <= :stalled_since ORDER BY o.channel_id, o.id LIMIT :limit",
        {"stalled_since": clock.iso(now - gateway_budget.STALL_AFTER), "limit": limit},
    )


def _live_elsewhere(db, row, now):
    """Tell whether ROW's commune has another phone that is still sending."""
    return any(
        device["id"] != row["channel_id"] and not gateway_budget.stalled_on(db, device["id"], now)
        for device in channels.senders(db, row["commune_id"])
    )


def _requeue(db, row, device):
    """Put ROW back in the queue for another phone, under a new gateway message id."""
    stamp = clock.iso(clock.now())
    db.execute(
        "UPDATE outbox SET status = 'pending', attempts = 0, next_attempt_at = :now,"
        " idempotency_key = :idempotency_key, provider_id = NULL, channel_id = NULL,"
        " avoid_channel_id = :avoid_channel_id,"
        " lookup_needed = 0, first_attempt_at = NULL, sent_at = NULL"
        " WHERE id = :id AND status = 'sent' AND provider_id = :provider_id",
        {
            "now": stamp,
            "idempotency_key": secrets.token_hex(16),
            "avoid_channel_id": device["id"],
            "id": row["id"],
            "provider_id": row["provider_id"],
        },
    )
    attempts.note(db, row, [("move", "cancelled", f"moved off {device['address']}")], stamp)


def move_stalled(db, config, now=None):
    """Move what silent phones hold to live ones, each after a confirmed cancel; return count."""
    now = now or clock.now()
    moved, unreachable = 0, set()
    for row in stuck(db, now):
        if row["channel_id"] in unreachable or not _live_elsewhere(db, row, now):
            continue  # nowhere to go: it waits for its own phone
        device = first(db, "SELECT * FROM channels WHERE id = :id", {"id": row["channel_id"]})
        try:
            state = gateway_api.cancel(channels.gateway_account(device, config), row["provider_id"])
        except (gateway_errors.APIError, requests.RequestException) as error:
            # No answer is no confirmation: moving now could send it twice.
            log.warning("gateway device %s cannot be asked: %s", device["address"], error)
            unreachable.add(device["id"])
            continue
        if state is None:
            continue  # unknown to the phone: the outbound check hands it to staff
        status = transports.gateway_status(state.state)
        with transaction(db):
            messages.update_delivery(
                db,
                provider="gateway",
                provider_id=row["provider_id"],
                status=status,
                error_message=f"moved off {device['address']}" if status == "cancelled" else None,
            )
            if status == "cancelled":
                _requeue(db, row, device)
                moved += 1
    if moved:
        log.info("moved %s waiting messages off silent gateway phones", moved)
    return moved
