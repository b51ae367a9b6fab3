"""Daily counters: kept by every writer as rows change, equal to a rebuild from the raw rows."""

import datetime as dt
import random

import pytest
import time_machine

from app import communes
from app.infra import clock
from app.reports import counters, figures, months
from tests.report_month import READ_AT, VN, build_november, event, message, request, resident

PAGE_KEYS = (
    "contacts.total",
    "visits.requested",
    "visits.visited",
    "waiting.median_days",
    "waiting.share_within_7_days",
    "questions.count",
    "delivery.sms_failed",
)


def _now():
    return clock.iso(clock.now())


def _script_a_month(db, text_in, rng):
    """Thirty-odd local days of varied traffic in two communes, each day under a frozen clock."""
    other = communes.create(db, "DONG", "Xã Đông")
    people = [resident(db, f"+8491200{n:04d}") for n in range(6)]
    strangers = [resident(db, f"+8491300{n:04d}", commune_id=other.id) for n in range(3)]
    open_visits, messages_out = [], []
    # From 23:00 on 31 October to the first hours of December, local time.
    start = dt.datetime(2026, 10, 31, 23, 0, tzinfo=VN)
    for day in range(32):
        for hour in (0, 9, 16, 23):
            moment = start + dt.timedelta(days=day, hours=hour, minutes=rng.randrange(60))
            with time_machine.travel(moment, tick=False), db.conn:
                commune_id, who = (
                    (other.id, rng.choice(strangers))
                    if rng.random() < 0.3
                    else (1, rng.choice(people))
                )
                kind = rng.choice(["visit", "visit", "question"])
                channel = rng.choice(["sms", "voice", "staff", "api"])
                key = f"voice:CA{day}{hour}:message" if channel == "voice" and hour == 9 else None
                made = request(
                    db,
                    who,
                    kind,
                    channel,
                    _now(),
                    "new" if kind == "visit" else "open",
                    commune_id=commune_id,
                    source_key=key,
                )
                if kind == "visit":
                    open_visits.append((made, commune_id))
                mid = (
                    db["messages"]
                    .insert(
                        {
                            "direction": "out",
                            "provider": "twilio",
                            "phone": "+84912000001",
                            "status": "queued",
                            "created_at": _now(),
                            "commune_id": commune_id,
                        }
                    )
                    .last_pk
                )
                messages_out.append(mid)
                _move_something(db, rng, open_visits, messages_out)
    return other


def _move_something(db, rng, open_visits, messages_out):
    """One change of an earlier row, as the console, the field and the outbox make them."""
    stamp = _now()
    choice = rng.randrange(7)
    if choice == 0 and messages_out:
        status = rng.choice(["sent", "delivered", "failed", "undelivered"])
        db["messages"].update(rng.choice(messages_out), {"status": status})
    elif choice == 1 and open_visits:
        made, commune_id = open_visits.pop(rng.randrange(len(open_visits)))
        # The field app: the event first, then the request (or the other way round).
        if rng.random() < 0.5:
            event(db, made, stamp, "visited")
            db["requests"].update(made, {"status": "visited", "updated_at": stamp})
        else:
            db["requests"].update(made, {"status": "visited", "closed_at": stamp})
            event(db, made, stamp, "visited")
    elif choice == 2 and open_visits:
        made, _commune = open_visits[rng.randrange(len(open_visits))]
        db["requests"].update(made, {"status": "unreachable", "updated_at": stamp})
        event(db, made, stamp, "unreachable")
    elif choice == 3 and open_visits:
        made, _commune = open_visits.pop(rng.randrange(len(open_visits)))
        db["requests"].update(made, {"status": "cancelled", "closed_at": stamp})
    elif choice == 4 and open_visits:
        # A mistaken row removed by an admin, with its events.
        made, _commune = open_visits.pop(rng.randrange(len(open_visits)))
        db["request_events"].delete_where("request_id = ?", [made])
        db["requests"].delete(made)
    elif choice == 5:
        message(db, "in", stamp, "replied", intent=rng.choice(["guidance", "visit", None]))
        db["calls"].insert(
            {
                "call_sid": f"CA{rng.random()}",
                "direction": rng.choice(["inbound", "outbound-callback"]),
                "started_at": stamp,
                "commune_id": 1,
            }
        )
    elif choice == 6 and messages_out:
        db["messages"].update(rng.choice(messages_out), {"intent": "guidance"})


@pytest.mark.parametrize("seed", [1, 2])
def test_a_rebuild_equals_the_counters_kept_through_a_scripted_month(db, text_in, seed):
    other = _script_a_month(db, text_in, random.Random(seed))
    with time_machine.travel(dt.datetime(2026, 11, 18, 10, 0, tzinfo=VN), tick=False):
        # Through the real webhook and worker too: an SMS that asks for a visit.
        text_in("HEN Tan Phu", phone="+84912999001")
        text_in("xin chao, toi can hoi ve giay khai sinh", phone="+84912999002")
    live = counters.snapshot(db)
    assert sum(live.values()) > 200
    with db.conn:
        counters.rebuild(db)
    assert counters.snapshot(db) == live
    with time_machine.travel(READ_AT, tick=False):
        for commune in (communes.first_commune(db), other):
            raw = figures.month_figures(db, commune, 2026, 11)
            kept = counters.province_figures(counters.month_counts(db, 2026, 11)[commune.id])
            assert kept == {key: raw[key] for key in PAGE_KEYS}


def test_counters_wiped_by_hand_come_back_with_the_rebuild_command(db, runner):
    with time_machine.travel(READ_AT, tick=False):
        build_november(db)
        kept = counters.snapshot(db)
        with db.conn:
            db.execute("DELETE FROM report_daily")
        result = runner.invoke(args=["report", "rebuild"])
        assert result.exit_code == 0, result.output
        assert "counters rebuilt" in result.output
        assert counters.snapshot(db) == kept
        # Local days: 23:30 on 30 November (16:30 UTC) counts on the 30th, not in December.
        assert kept[(1, "2026-11-30", "contacts.sms")] == 1
        assert (1, "2026-12-01", "visits.new") in kept


def test_the_province_figures_of_the_known_november_equal_the_hand_count(db):
    with time_machine.travel(READ_AT, tick=False):
        commune = build_november(db)
        raw = figures.month_figures(db, commune, 2026, 11)
        kept = counters.province_figures(counters.month_counts(db, 2026, 11)[commune.id])
        late = counters.late_questions(db, communes.every(db), 2026, 11)
    assert kept == {key: raw[key] for key in PAGE_KEYS}
    assert late == {1: raw["questions.open_over_2_working_days"]}
    assert counters.month_days(*months.parse("2026-12")) == ("2026-12-01", "2027-01-01")


def test_every_counting_trigger_survives_the_later_migrations(db):
    # A later step that rebuilds requests, messages or calls (sqlite-utils' transform) drops
    # their triggers without a word, and the counters would drift from then on.
    found = {
        (row[0], row[1])
        for row in db.execute(
            "SELECT tbl_name, name FROM sqlite_master WHERE type = 'trigger'"
            " AND name LIKE 'report_%'"
        )
    }
    kept = {"insert", "before_update", "after_update", "delete"}
    expected = {
        (table, f"report_{table}_{name}")
        for table in ("requests", "messages", "calls")
        for name in kept
    }
    expected |= {
        ("request_events", f"report_request_events_{when}_{event}")
        for when in ("before", "after")
        for event in ("insert", "update", "delete")
    }
    assert found == expected
