"""Commune settings that admins edit: office phone, reminder time, quiet hours, limits.

This is the one home of their defaults: the rest of the app reads a setting through the
readers below, which fall back to the default when a value is unset or unusable.
"""

import re

from app import communes
from app.infra.clock import HHMM
from app.language import phones
from app.language.texts import N_
from db import cache, rows

# key: (default shown when unset, what it means)
DEFAULTS = {
    "office_phone": "",
    "reminder_time": "17:00",
    "quiet_start": "20:00",
    "quiet_end": "07:00",
    "sms_rate_limit": "10/600",
    "trip_weeks_ahead": "8",
    # Minutes the gateway phone may be silent during the day before the console says so.
    "gateway_silence_minutes": "30",
}
RATE_LIMIT = re.compile(r"^(\d{1,3})/(\d{1,6})$")
MAX_WEEKS_AHEAD = 26
SILENCE_MINUTES = (5, 1440)


class SettingError(ValueError):
    """Raised when a setting's value is not acceptable; TEMPLATE and PARAMS say why."""

    def __init__(self, template, **params):
        self.template = template
        self.params = params
        super().__init__(template % params if params else template)


def value(db, key):
    """Return setting KEY as stored (through the per-process cache), or its default."""
    return cache.setting(db, key, DEFAULTS[key], communes.current_id())


def office_phone(db):
    """Return the office number residents may call, or "" until an admin sets one."""
    return value(db, "office_phone")


def _time_of_day(db, key):
    """Return a HH:MM setting, or its default when the stored value is not a time."""
    stored = value(db, key)
    return stored if HHMM.match(stored) else DEFAULTS[key]


def reminder_time(db):
    """Return the local HH:MM when reminders for the next day's trips go out."""
    return _time_of_day(db, "reminder_time")


def quiet_hours(db):
    """Return (start, end) as local HH:MM: no proactive SMS from start until end."""
    return _time_of_day(db, "quiet_start"), _time_of_day(db, "quiet_end")


def sms_rate_limit(db):
    """Return (messages, seconds): more inbound SMS than this from one phone pauses replies."""
    for raw in (value(db, "sms_rate_limit"), DEFAULTS["sms_rate_limit"]):
        try:
            count, seconds = (int(part) for part in raw.split("/"))
        except ValueError:
            continue
        if count > 0 and seconds > 0:
            return count, seconds
    raise AssertionError("the default SMS limit is not valid")


def weeks_ahead(db):
    """Return how many weeks of trips to keep generated."""
    try:
        return max(1, int(value(db, "trip_weeks_ahead")))
    except ValueError:
        return int(DEFAULTS["trip_weeks_ahead"])


def gateway_silence_minutes(db):
    """Return how long the gateway phone may be silent during the day before staff are told."""
    try:
        return max(1, int(value(db, "gateway_silence_minutes")))
    except ValueError:
        return int(DEFAULTS["gateway_silence_minutes"])


def current(db):
    """Return every editable setting with its stored value, or its default."""
    stored = {
        row["key"]: row["value"]
        for row in rows(
            db,
            "SELECT key, value FROM settings WHERE commune_id = :commune_id",
            {"commune_id": communes.current_id()},
        )
    }
    return {key: stored.get(key) or default for key, default in DEFAULTS.items()}


def _clean(key, raw):
    """Validate and normalise one submitted value, or raise SettingError."""
    value = (raw or "").strip()
    if key == "office_phone":
        if not value:
            return ""
        try:
            # Residents dial what they read, so keep the familiar national format.
            return phones.display(phones.normalise(value))
        except phones.InvalidPhone:
            raise SettingError(N_("%(value)s is not a phone number"), value=value) from None
    if key in ("reminder_time", "quiet_start", "quiet_end"):
        if not HHMM.match(value):
            raise SettingError(N_("time %(value)s is not HH:MM (24-hour)"), value=repr(value))
        return value
    if key == "sms_rate_limit":
        match = RATE_LIMIT.match(value)
        if not match or int(match.group(1)) < 1 or int(match.group(2)) < 60:
            raise SettingError(
                N_("the SMS limit must look like 10/600 (messages / seconds, 60 s or more)")
            )
        return value
    if key == "trip_weeks_ahead":
        if not value.isdigit() or not 1 <= int(value) <= MAX_WEEKS_AHEAD:
            raise SettingError(
                N_("plan trips 1 to %(most)s weeks ahead"), most=str(MAX_WEEKS_AHEAD)
            )
        return value
    if key == "gateway_silence_minutes":
        low, high = SILENCE_MINUTES
        if not value.isdigit() or not low <= int(value) <= high:
            raise SettingError(
                N_("the phone's silence alarm takes %(low)s to %(high)s minutes"),
                low=str(low),
                high=str(high),
            )
        return str(int(value))
    raise SettingError(N_("unknown setting %(key)s"), key=key)


def save(db, submitted):
    """Validate every submitted setting, then store them all (nothing is stored on error)."""
    cleaned = {key: _clean(key, submitted.get(key)) for key in DEFAULTS if key in submitted}
    for key, value in cleaned.items():
        db.execute(
            "INSERT INTO settings (commune_id, key, value) VALUES (:commune_id, :key, :value)"
            " ON CONFLICT (commune_id, key) DO UPDATE SET value = excluded.value",
            {"commune_id": communes.current_id(), "key": key, "value": value},
        )
    return current(db)
