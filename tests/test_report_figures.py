"""A known month built by hand: every figure of the monthly report equals the hand count."""

import pytest
import time_machine

from app.reports import figures, months
from tests.report_month import NOVEMBER, READ_AT, VN, build_november


@pytest.fixture(autouse=True)
def read_in_december():
    with time_machine.travel(READ_AT, tick=False):
        yield


@pytest.fixture
def november(db):
    return build_november(db)


def test_every_figure_of_a_hand_built_november_equals_the_hand_count(db, november):
    assert figures.month_figures(db, november, 2026, 11) == NOVEMBER


def test_the_previous_month_holds_the_request_sent_late_on_its_last_evening(db, november):
    october = figures.month_figures(db, november, 2026, 10)
    assert october["contacts.sms"] == 1
    assert october["visits.visited"] == 1
    assert october["waiting.median_days"] == 1.4
    assert october["waiting.share_within_7_days"] == 100
    assert october["people.age_75_plus"] == 1


def test_month_bounds_are_local_midnights():
    assert months.bounds(VN, 2026, 11) == ("2026-10-31T17:00:00Z", "2026-11-30T17:00:00Z")
    assert months.bounds(VN, 2026, 12) == ("2026-11-30T17:00:00Z", "2026-12-31T17:00:00Z")


@pytest.mark.parametrize("text", ["2026-13", "2026-1", "november", "", "2026-00"])
def test_a_month_not_written_yyyy_mm_is_refused(text):
    with pytest.raises(months.BadMonth):
        months.parse(text)


def test_a_visit_marked_visited_without_an_event_waits_until_its_last_change(db):
    from app import communes
    from tests.report_month import at, request, resident

    with db.conn:
        someone = resident(db, "+84912000050")
        request(
            db,
            someone,
            "visit",
            "sms",
            at(2026, 11, 2, 8, 0),
            "visited",
            updated_at=at(2026, 11, 5, 8, 0),
        )
    found = figures.month_figures(db, communes.first_commune(db), 2026, 11)
    assert (found["visits.visited"], found["waiting.median_days"]) == (1, 3.0)
