"""Commune settings: every reader falls back to the one table of defaults."""

import datetime as dt

import pytest

from app.catalogue import commune_settings, quiet_hours
from app.infra.clock import at_local


def test_with_nothing_stored_every_reader_gives_the_default(db):
    db.execute("DELETE FROM settings")
    assert commune_settings.office_phone(db) == ""
    assert commune_settings.reminder_time(db) == "17:00"
    assert commune_settings.quiet_hours(db) == ("20:00", "07:00")
    assert commune_settings.sms_rate_limit(db) == (10, 600)
    assert commune_settings.weeks_ahead(db) == 8


@pytest.mark.parametrize(
    ("key", "stored", "reader", "expected"),
    [
        ("reminder_time", "25:00", commune_settings.reminder_time, "17:00"),
        ("quiet_start", "late", lambda db: commune_settings.quiet_hours(db)[0], "20:00"),
        ("sms_rate_limit", "ten", commune_settings.sms_rate_limit, (10, 600)),
        ("sms_rate_limit", "0/600", commune_settings.sms_rate_limit, (10, 600)),
        ("trip_weeks_ahead", "many", commune_settings.weeks_ahead, 8),
    ],
)
def test_an_unusable_stored_value_gives_the_default(db, key, stored, reader, expected):
    db["settings"].upsert({"commune_id": 1, "key": key, "value": stored}, pk=("commune_id", "key"))
    assert reader(db) == expected


def test_quiet_hours_follow_the_setting(db):
    db["settings"].upsert(
        {"commune_id": 1, "key": "quiet_start", "value": "21:30"}, pk=("commune_id", "key")
    )
    day = dt.date(2027, 3, 1)
    assert not quiet_hours.is_quiet(db, at_local(day, "21:00"))
    assert quiet_hours.is_quiet(db, at_local(day, "21:45"))
