"""Time: the database stores UTC text; people see the commune's local time."""

import datetime as dt
import re
from zoneinfo import ZoneInfo

from app.infra import tenant

UTC = dt.UTC
DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"
HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")  # a local time of day, 24-hour


def now():
    """Return the current time as an aware UTC datetime."""
    return dt.datetime.now(UTC)


def iso(moment):
    """Format an aware datetime as the UTC text stored in the database."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse(text):
    """Parse stored UTC text back into an aware datetime (None stays None)."""
    if not text:
        return None
    moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def local_zone():
    """Return the bound commune's local time zone (the default zone when none is bound)."""
    commune = tenant.current_or_none()
    return commune.zone if commune else ZoneInfo(DEFAULT_TIMEZONE)


def to_local(moment):
    """Convert an aware datetime (or stored text) to local time."""
    if isinstance(moment, str):
        moment = parse(moment)
    return moment.astimezone(local_zone()) if moment else None


def local_today():
    """Return today's date in the commune."""
    return now().astimezone(local_zone()).date()


def at_local(day, hhmm):
    """Return the aware UTC datetime for local DAY at local time 'HH:MM'."""
    hour, minute = (int(part) for part in hhmm.split(":"))
    local = dt.datetime.combine(day, dt.time(hour, minute), tzinfo=local_zone())
    return local.astimezone(UTC)
