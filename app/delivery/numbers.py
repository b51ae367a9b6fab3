"""The numbers a commune's residents use: each Twilio number and gateway phone, its last
message in and out, and whether the gateway phone is alive.

The SMS log records the provider of each message, not the channel, so with two gateway
phones in one commune both show the commune's last gateway message (said on the page).
"""

import datetime as dt

from app import channels, communes
from app.catalogue import commune_settings
from app.delivery import delivery_states
from app.infra import clock
from app.language import phones
from db import first

SHOWN_KINDS = ("twilio", "gateway")
# As app.delivery.gateway_budget.stalled: accepted by the phone, not sent for five minutes.
STALLED_AFTER = dt.timedelta(minutes=5)


def numbers(db, commune, *, default_twilio_number=None, now=None):
    """COMMUNE's numbers, Twilio first: [{kind, address, last_in, last_out, phone_state}].

    DEFAULT_TWILIO_NUMBER (TWILIO_FROM_NUMBER) is the address of the first commune's default
    Twilio channel, which the table leaves empty.
    """
    now = now or clock.now()
    found = []
    gateways = len(channels.every(db, commune, kind="gateway"))
    for channel in channels.every(db, commune):
        if channel["kind"] not in SHOWN_KINDS:
            continue
        address = channel["address"]
        if channel["kind"] == "twilio" and not address and channel["is_default"]:
            address = default_twilio_number
        found.append(
            {
                "id": channel["id"],
                "kind": channel["kind"],
                "address": address,
                # The embedded default's made-up number: only the simulator can reach it.
                "placeholder": channel["kind"] == "twilio"
                and bool(address)
                and not phones.is_valid(address),
                "shared_log": channel["kind"] == "gateway" and gateways > 1,
                "last_in": _last(db, commune, channel["kind"], "in"),
                "last_out": _last(db, commune, channel["kind"], "out"),
                "phone_state": (
                    phone_state(db, commune, channel, now) if channel["kind"] == "gateway" else None
                ),
            }
        )
    found.sort(key=lambda entry: (SHOWN_KINDS.index(entry["kind"]), entry["id"]))
    return found


def _last(db, commune, provider, direction):
    """COMMUNE's last message in DIRECTION through PROVIDER, with its delivery state, or None."""
    found = communes.scoped_rows(
        db,
        commune,
        f"SELECT m.*, res.name AS resident_name, {delivery_states.PARTS_COLUMNS}"
        " FROM messages m LEFT JOIN residents res"
        " ON res.phone = m.phone AND res.commune_id = m.commune_id"
        f" LEFT JOIN {delivery_states.PARTS_JOIN}"
        " WHERE m.commune_id = :commune_id AND m.provider = :provider"
        " AND m.direction = :direction ORDER BY m.id DESC LIMIT 1",
        {"provider": provider, "direction": direction},
    )
    if not found:
        return None
    row = dict(found[0])
    row["state"] = delivery_states.of_message(row) if direction == "out" else None
    return row


def phone_state(db, commune, channel, now):
    """A gateway phone's state: last seen, silent minutes, silent or not, messages stalled."""
    row = first(db, "SELECT * FROM gateway_state WHERE id = :id", {"id": channel["id"]}) or {}
    seen = clock.parse(row.get("last_seen_at"))
    minutes = int((now - seen).total_seconds() // 60) if seen else None
    limit = commune_settings.gateway_silence_minutes(db)
    stalled = db.execute(
        "SELECT count(*), min(o.sent_at) FROM outbox o JOIN messages m"
        " ON m.provider = 'gateway' AND m.provider_id = o.provider_id"
        " WHERE o.commune_id = :commune_id AND o.status = 'sent' AND o.provider = 'gateway'"
        " AND m.status = 'queued' AND o.sent_at <= :before",
        {"commune_id": commune.id, "before": clock.iso(now - STALLED_AFTER)},
    ).fetchone()
    return {
        "last_seen_at": row.get("last_seen_at"),
        "last_event": row.get("last_event"),
        "app_version": row.get("app_version"),
        "silent_minutes": minutes,
        "silent": minutes is None or minutes >= limit,
        "stalled": stalled[0],
        "stalled_since": stalled[1],
    }
