"""Local months and working days: the calendar every report figure is counted in."""

import datetime as dt
import math
import re

from app.infra import clock

MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


class BadMonth(ValueError):
    """Raised when a month is not written YYYY-MM."""


def parse(text):
    """Return (year, month) from 'YYYY-MM', or raise BadMonth."""
    match = MONTH.match((text or "").strip())
    if not match:
        raise BadMonth(f"month {text!r} must be written YYYY-MM, e.g. 2026-11")
    return int(match.group(1)), int(match.group(2))


def label(year, month):
    """'YYYY-MM' for YEAR and MONTH."""
    return f"{year:04d}-{month:02d}"


def previous(year, month):
    """The (year, month) before YEAR-MONTH."""
    return (year - 1, 12) if month == 1 else (year, month - 1)


def following(year, month):
    """The (year, month) after YEAR-MONTH."""
    return (year + 1, 1) if month == 12 else (year, month + 1)


def last_complete(zone, moment=None):
    """The (year, month) before the one MOMENT (default now) falls in, in ZONE."""
    local = (moment or clock.now()).astimezone(zone)
    return previous(local.year, local.month)


def bounds(zone, year, month):
    """The month's start and end (exclusive) as stored UTC text, in the commune's ZONE.

    Stored times are UTC; a request at 23:30 on 30 November in Vietnam is 16:30 UTC and
    belongs to November, so the bounds are local midnights turned into UTC.
    """
    start = dt.datetime(year, month, 1, tzinfo=zone)
    end = dt.datetime(*following(year, month), 1, tzinfo=zone)
    return clock.iso(start), clock.iso(end)


def add_working_days(moment, days, zone):
    """MOMENT plus DAYS working days (Monday to Friday) at the same local time."""
    local = moment.astimezone(zone)
    while days:
        local += dt.timedelta(days=1)
        if local.weekday() < 5:
            days -= 1
    return local


def median(values):
    """The median of VALUES, or None when there are none."""
    ordered = sorted(values)
    if not ordered:
        return None
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def percentile(values, share):
    """The nearest-rank percentile SHARE (0-1) of VALUES, or None when there are none."""
    ordered = sorted(values)
    if not ordered:
        return None
    return ordered[max(math.ceil(share * len(ordered)) - 1, 0)]


def recent(zone, count, moment=None):
    """The COUNT months up to the one MOMENT (default now) falls in, in ZONE, newest first."""
    local = (moment or clock.now()).astimezone(zone)
    found, month = [], (local.year, local.month)
    for _ in range(count):
        found.append(month)
        month = previous(*month)
    return found
