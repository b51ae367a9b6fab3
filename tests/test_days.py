"""A trip's day in words: every channel's rendering names the same local day."""

import datetime as dt

import pytest

from app.infra import clock
from app.language import days


@pytest.mark.parametrize("language", ["vi", "en"])
def test_every_rendering_of_a_late_evening_utc_start_names_the_local_day(app, language):
    # 23:30 UTC on Monday is 06:30 on Tuesday in Vietnam: every rendering must say Tuesday.
    starts_at = "2026-11-30T23:30:00Z"
    with app.app_context():
        assert clock.to_local(starts_at).date() == dt.date(2026, 12, 1)
        sms = days.sms_words_of(starts_at, language)
        assert sms == {"day": "Thu 3 01/12" if language == "vi" else "Tue 01/12", "time": "6h30"}
        assert days.sms_day_of(starts_at, language) == sms["day"]
        assert days.spoken_day_of(starts_at, language) == (
            "thứ Ba, ngày 1 tháng 12" if language == "vi" else "Tuesday, 1 December"
        )
        assert days.api_day_of(starts_at) == "Tuesday 01/12"
        assert days.staff_day(dt.date(2026, 12, 1), language) == (
            "thứ Ba 01/12" if language == "vi" else "Tuesday 01/12"
        )
