"""Channels: the numbers and gateway phones residents reach, each owned by one commune.

A Twilio number routes SMS (by `To`) and calls (by `Called`); a gateway device has its own
webhook URL and signing key, so its commune is known before the body is read. Commune 1's
default channels stand for the single-commune environment: TWILIO_FROM_NUMBER and
SMS_GATEWAY_SIGNING_KEY, passed in by the edge, never read here.
"""

import functools
import re
import secrets

from app import communes
from app.infra import clock
from app.language import phones
from db import first, rows

DEVICE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$")
KINDS = ("twilio", "gateway", "console")


class ChannelError(ValueError):
    """Raised when a channel cannot be added as asked."""


# Every webhook routes by its To number, the same few numbers all day; the embedded
# default's placeholder is no valid phone, and parsing it again each time cost about 0.5 ms.
@functools.lru_cache(maxsize=1024)
def _e164(number):
    """NUMBER as E.164 (+84... or 0... forms alike), or the stripped text when not a phone."""
    text = str(number or "").strip()
    try:
        return phones.normalise(text)
    except phones.InvalidPhone:
        return text


CHANNEL_COLUMNS = ("id", "commune_id", "kind", "address", "secret", "is_default")
_TWILIO_ROUTE = (
    "SELECT "
    + ", ".join(f"communes.{name}" for name in communes.COLUMNS)
    + ", "
    + ", ".join(f"channels.{name} AS channel_{name}" for name in CHANNEL_COLUMNS)
    + " FROM channels JOIN communes ON communes.id = channels.commune_id"
    " WHERE channels.kind = 'twilio'"
    " AND (channels.address = :address OR (channels.is_default = 1 AND :is_default_number))"
    " ORDER BY channels.address IS NULL LIMIT 1"
)


def for_twilio(db, number, default_number):
    """Return (Commune, channel row) owning Twilio NUMBER, or None when no commune does.

    DEFAULT_NUMBER (TWILIO_FROM_NUMBER) is commune 1's default Twilio channel.
    """
    address = _e164(number)
    if not address:
        return None
    # One statement on every webhook: the number's own channel, else the default one.
    row = first(
        db,
        _TWILIO_ROUTE,
        {"address": address, "is_default_number": int(address == _e164(default_number))},
    )
    if row is None:
        return None
    channel = {name: row[f"channel_{name}"] for name in CHANNEL_COLUMNS}
    return communes.from_row(row), channel


def for_sip_call(db, domain, called, default_number):
    """Return (Commune, channel row) of a call through a Twilio SIP Domain, or None.

    A domain routed to a commune (a twilio channel with address sip:DOMAIN) is that
    commune's. Otherwise the called URI's user part decides when it is a number
    (sip:+842773000111@...): the commune owning that number, as for a phone call. A named
    user on an unrouted domain (sip:hotline@...) belongs to no commune.
    """
    domain = (domain or "").strip().lower()
    row = first(db, _TWILIO_ROUTE, [f"sip:{domain}", 0]) if domain else None
    if row is not None:
        channel = {name: row[f"channel_{name}"] for name in CHANNEL_COLUMNS}
        return communes.from_row(row), channel
    number = phones.from_caller_id(called)
    return for_twilio(db, number, default_number) if number else None


def add_sip_domain(db, commune, domain):
    """Route calls through Twilio SIP Domain DOMAIN (e.g. phulam.sip.twilio.com) to COMMUNE."""
    domain = (domain or "").strip().lower()
    if not re.fullmatch(r"[a-z0-9]([a-z0-9.-]{0,250}[a-z0-9])?", domain):
        raise ChannelError(f"{domain!r} is not a SIP domain, e.g. phulam.sip.twilio.com")
    address = f"sip:{domain}"
    if first(
        db,
        "SELECT 1 FROM channels WHERE kind = 'twilio' AND address = :address",
        {"address": address},
    ):
        raise ChannelError(f"{domain} already belongs to a commune")
    return _add(db, commune, "twilio", address, None)


def gateway_device(db, channel_id):
    """Return (Commune, channel row) of gateway device CHANNEL_ID, or None."""
    row = first(
        db, "SELECT * FROM channels WHERE kind = 'gateway' AND id = :id", {"id": channel_id}
    )
    if row is None:
        return None
    return communes.by_id(db, row["commune_id"]), row


def default_gateway(db):
    """Return (Commune, channel row) of the first commune's default gateway device."""
    row = first(db, "SELECT * FROM channels WHERE kind = 'gateway' AND is_default = 1 LIMIT 1")
    return communes.by_id(db, row["commune_id"]), row


def signing_key(channel, default_key):
    """The key a gateway device signs with: its own, or DEFAULT_KEY for the default device."""
    return channel["secret"] or (default_key if channel["is_default"] else None)


# A SIP domain routed to a commune is a Twilio channel too, but no number to send from.
_NUMBER = " AND coalesce(address, '') NOT LIKE 'sip:%'"
# A gateway device sends when it has an API account: its own, or the environment's default.
_SENDS = " AND (is_default = 1 OR api_url IS NOT NULL OR api_password IS NOT NULL)"


def can_send(db, commune_id, kind):
    """Tell whether commune COMMUNE_ID has a channel of KIND (twilio, gateway) to send from.

    A gateway device sends through its own API account; the first commune's default device
    through the environment's (SMS_GATEWAY_URL and its credentials).
    """
    extra = _SENDS if kind == "gateway" else _NUMBER
    return bool(
        db.execute(
            f"SELECT 1 FROM channels WHERE commune_id = :commune_id AND kind = :kind{extra}"
            " LIMIT 1",
            {"commune_id": commune_id, "kind": kind},
        ).fetchone()
    )


def senders(db, commune_id):
    """COMMUNE_ID's gateway devices that can send (its pool of phones), default first."""
    return rows(
        db,
        f"SELECT * FROM channels WHERE kind = 'gateway' AND commune_id = :commune_id{_SENDS}"
        " ORDER BY is_default DESC, id",
        {"commune_id": commune_id},
    )


def gateway_account(channel, config):
    """The API settings a gateway device is called with, in the environment's key names.

    The default device uses CONFIG's (SMS_GATEWAY_URL, _USERNAME, _PASSWORD); any other
    device only its own, so it never sends through another commune's phone.
    """
    if channel["is_default"]:
        names = ("SMS_GATEWAY_URL", "SMS_GATEWAY_USERNAME", "SMS_GATEWAY_PASSWORD")
        return {name: config.get(name) or "" for name in names}
    return {
        "SMS_GATEWAY_URL": channel.get("api_url") or "",
        "SMS_GATEWAY_USERNAME": channel.get("api_username") or "",
        "SMS_GATEWAY_PASSWORD": channel.get("api_password") or "",
    }


def set_gateway_account(db, channel, *, url, username, password):
    """Give gateway device CHANNEL its own API address and credentials; return the row."""
    if channel["kind"] != "gateway" or channel["is_default"]:
        raise ChannelError("the first commune's default device uses SMS_GATEWAY_URL and its keys")
    url = (url or "").strip().rstrip("/")
    if url and not re.match(r"^https?://[^\s/]+", url):
        raise ChannelError("the API address is http(s)://host[:port][/path]")
    if not url and not password:
        raise ChannelError("give the device's API address, or at least its password (cloud)")
    db.execute(
        "UPDATE channels SET api_url = :api_url, api_username = :api_username,"
        " api_password = :api_password WHERE id = :id",
        {
            "api_url": url or None,
            "api_username": (username or "").strip() or None,
            "api_password": password or None,
            "id": channel["id"],
        },
    )
    return first(db, "SELECT * FROM channels WHERE id = :id", {"id": channel["id"]})


def sending_number(db, commune_id):
    """COMMUNE_ID's own Twilio number, or None for the environment's default one."""
    found = db.execute(
        f"SELECT address FROM channels WHERE commune_id = :commune_id AND kind = 'twilio'{_NUMBER}"
        " ORDER BY is_default DESC, id LIMIT 1",
        {"commune_id": commune_id},
    ).fetchone()
    return found[0] if found else None


def twilio_number(db, commune, default_number):
    """The number COMMUNE's SMS and calls leave from, or None when it has no Twilio number."""
    row = first(
        db,
        f"SELECT * FROM channels WHERE kind = 'twilio' AND commune_id = :commune_id{_NUMBER}"
        " ORDER BY is_default DESC, id LIMIT 1",
        {"commune_id": commune.id},
    )
    if row is None:
        return None
    return row["address"] or (default_number if row["is_default"] else None)


def add_twilio(db, commune, number, *, checked=True, default_number=None):
    """Route Twilio NUMBER (E.164) to COMMUNE; return the channel row.

    CHECKED False takes a development number (+84000000001) as it is written.
    DEFAULT_NUMBER (TWILIO_FROM_NUMBER) is the first commune's already.
    """
    try:
        address = phones.normalise(number) if checked else number.strip()
    except phones.InvalidPhone:
        raise ChannelError(f"{number!r} is not a phone number, e.g. +842773000111") from None
    taken = first(
        db,
        "SELECT 1 FROM channels WHERE kind = 'twilio' AND address = :address",
        {"address": address},
    )
    if taken or (default_number and address == _e164(default_number)):
        raise ChannelError(f"{address} already belongs to a commune")
    return _add(db, commune, "twilio", address, None)


def add_gateway(db, commune, name, *, api_url=None, api_username=None, api_password=None):
    """Register gateway device NAME for COMMUNE with a new signing key; return the row.

    With API_URL (and its credentials) the device also sends its commune's SMS.
    """
    name = (name or "").strip()
    if not DEVICE_NAME.match(name):
        raise ChannelError("a device name is 1-40 letters, digits, dots, dashes or underscores")
    if first(
        db,
        "SELECT 1 FROM channels WHERE kind = 'gateway' AND address = :address",
        {"address": name},
    ):
        raise ChannelError(f"a gateway device named {name} exists already")
    channel = _add(db, commune, "gateway", name, secrets.token_urlsafe(32))
    if api_url or api_password:
        channel = set_gateway_account(
            db, channel, url=api_url, username=api_username, password=api_password
        )
    return channel


def _add(db, commune, kind, address, secret):
    """Insert one channel of COMMUNE and return it."""
    channel_id = db.conn.execute(
        "INSERT INTO channels (commune_id, kind, address, secret, is_default, created_at)"
        " VALUES (:commune_id, :kind, :address, :secret, 0, :created_at)",
        {
            "commune_id": commune.id,
            "kind": kind,
            "address": address,
            "secret": secret,
            "created_at": clock.iso(clock.now()),
        },
    ).lastrowid
    return first(db, "SELECT * FROM channels WHERE id = :id", {"id": channel_id})


def every(db, commune=None, kind=None):
    """Every channel (of COMMUNE, of KIND when given) with its commune's code, in order."""
    clauses, params = [], []
    if commune is not None:
        clauses.append("channels.commune_id = ?")
        params.append(commune.id)
    if kind is not None:
        clauses.append("channels.kind = ?")
        params.append(kind)
    where = ("WHERE " + " AND ".join(clauses)) if clauses else ""
    return rows(
        db,
        "SELECT channels.*, communes.code AS commune_code FROM channels"
        f" JOIN communes ON communes.id = channels.commune_id {where}"
        " ORDER BY channels.commune_id, channels.id",
        params,
    )


def webhook_path(channel):
    """The path a gateway device posts to."""
    return "/sms/gateway" if channel["is_default"] else f"/sms/gateway/{channel['id']}"
