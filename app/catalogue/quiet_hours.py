"""Quiet hours: from the commune's quiet_start to its quiet_end no proactive SMS or call goes out.

The hours themselves are a commune setting (commune_settings.quiet_hours); this module says
what they mean for a given moment. Answers to something a resident has just done are not
held (outbox.REACTIVE_KINDS).
"""

import datetime as dt

from app import communes
from app.catalogue import commune_settings
from app.infra import clock


def is_quiet(db, moment=None):
    """Tell whether MOMENT (default now) falls in local quiet hours (20:00–07:00)."""
    local = clock.to_local(moment or clock.now())
    start, end = commune_settings.quiet_hours(db)
    hhmm = local.strftime("%H:%M")
    if start <= end:
        return start <= hhmm < end
    return hhmm >= start or hhmm < end


def held_until(db, moment=None):
    """Return the local "HH:MM" at which quiet hours end if MOMENT is in them, else None."""
    if not is_quiet(db, moment):
        return None
    return commune_settings.quiet_hours(db)[1]


def next_allowed(db, moment):
    """Return MOMENT, or the end of quiet hours when it falls inside them (aware UTC)."""
    if not is_quiet(db, moment):
        return moment.astimezone(clock.UTC)
    _start, end = commune_settings.quiet_hours(db)
    day = clock.to_local(moment).date()
    allowed = clock.at_local(day, end)
    if allowed <= moment:
        allowed = clock.at_local(day + dt.timedelta(days=1), end)
    return allowed


def last_opened(db, now):
    """Return when the current sending window opened (the last end of quiet hours)."""
    _start, end = commune_settings.quiet_hours(db)
    today = clock.to_local(now).date()
    opened = clock.at_local(today, end)
    return opened if opened <= now else clock.at_local(today - dt.timedelta(days=1), end)


def quiet_communes(db, now):
    """The ids of the communes in their own quiet hours at NOW (each its zone and setting)."""
    quiet = []
    for commune in communes.every(db):
        with communes.bound(commune):
            if is_quiet(db, now):
                quiet.append(commune.id)
    return quiet
