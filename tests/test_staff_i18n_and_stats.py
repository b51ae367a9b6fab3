"""Console translations stay complete and compiled; the numbers page counts correctly."""

import datetime as dt
from pathlib import Path

from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from app import communes, lifecycle
from app.infra import clock
from app.request_queue import service_requests, stats
from tests.test_staff_pages import open_visit

CATALOGUE = Path(__file__).resolve().parent.parent / "translations" / "vi" / "LC_MESSAGES"


def test_every_console_string_has_a_vietnamese_translation():
    with open(CATALOGUE / "messages.po", "rb") as handle:
        catalogue = read_po(handle)
    missing = [m.id for m in catalogue if m.id and not m.string]
    fuzzy = [m.id for m in catalogue if m.id and m.fuzzy]
    assert missing == [] and fuzzy == []


def test_the_committed_mo_matches_the_po():
    with open(CATALOGUE / "messages.po", "rb") as handle:
        source = {m.id: m.string for m in read_po(handle) if m.id}
    with open(CATALOGUE / "messages.mo", "rb") as handle:
        compiled = {m.id: m.string for m in read_mo(handle) if m.id}
    assert compiled == source


def test_week_starts_are_mondays_oldest_first():
    mondays = stats.week_starts(3, today=dt.date(2026, 12, 3))
    assert mondays == [dt.date(2026, 11, 16), dt.date(2026, 11, 23), dt.date(2026, 11, 30)]


def test_nice_ceiling_rounds_the_axis_up():
    assert [stats.nice_ceiling(v) for v in (0, 1, 3, 7, 12, 180)] == [1, 1, 5, 10, 20, 200]


def test_weekly_chart_counts_requests_by_hamlet_and_week(app, db):
    with app.app_context():
        open_visit(db)
        open_visit(db, phone="+84912000002")
        open_visit(db, phone="+84912000003", hamlet="TANPHU")
        chart = stats.weekly_chart(db, communes.first_commune(db), weeks=4)
    this_week = {row["name"]: row["counts"][-1] for row in chart["table"]}
    assert this_week["Phú Hòa A"] == 2 and this_week["Tân Phú"] == 1
    assert chart["totals"][-1] == 3
    heights = [segment["height"] for segment in chart["bars"][-1]["segments"]]
    assert heights[0] == 2 * heights[1]


def test_completion_counts_visits_on_past_trips(app, db, time_machine):
    with app.app_context():
        visit = open_visit(db)
        other = open_visit(db, phone="+84912000002")
        trip = db["trips"].get(lifecycle.get(db, visit["id"])["trip_id"])
        time_machine.move_to(clock.parse(trip["starts_at"]) + dt.timedelta(minutes=30), tick=False)
        service_requests.mark_visited(db, visit["id"], actor="lan")
        time_machine.move_to(clock.parse(trip["ends_at"]) + dt.timedelta(days=1), tick=False)
        result = stats.completion(db, communes.first_commune(db), weeks=2)
    assert (result["booked"], result["visited"], result["share"]) == (2, 1, 50)
    assert other["trip_id"] == trip["id"]
