"""Trips: schedule generation over holidays, assignment, priority, moves and cancellations."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from app import lifecycle, residents, trips
from app.infra import clock
from app.ops import scheduler
from app.request_queue import service_requests
from app.request_queue.asked import Asked
from db import transaction
from tests.conftest import on_trip_day

VN = ZoneInfo("Asia/Ho_Chi_Minh")
TUESDAY_HAMLET, THURSDAY_HAMLET = 1, 6  # seeded: Tue serves hamlets 1-5, Thu 6-10
CAPACITY = 8


def local(*args):
    """An aware datetime in the commune's time zone."""
    return dt.datetime(*args, tzinfo=VN)


@pytest.fixture
def frozen(app, db):
    """Freeze time at a given local moment with a schedule generated from then."""
    travellers = []

    def freeze(moment):
        traveller = time_machine.travel(moment, tick=False)
        traveller.start()
        travellers.append(traveller)
        with transaction(db):
            db.execute("DELETE FROM trip_hamlets")
            db.execute("DELETE FROM trips")
            trips.ensure_trips(db)
        return traveller

    with app.app_context():
        yield freeze
    for traveller in reversed(travellers):
        traveller.stop()


def phone(n):
    return f"0912{n:06d}"


def book(db, n, hamlet_id=TUESDAY_HAMLET, vulnerable=False):
    """Open a home-visit request for resident number N."""
    with transaction(db):
        if vulnerable:
            resident = residents.find_or_create(db, phone(n))
            residents.update(db, resident["id"], age_75_plus=1)
        request, _ = service_requests.open_request(
            db, Asked(phone=phone(n), kind=lifecycle.VISIT, channel="sms", hamlet_id=hamlet_id)
        )
    return request


def trip_day(db, request):
    """The local date of the trip a request is on (None when waiting)."""
    request = lifecycle.get(db, request["id"])
    trip = trips.get(db, request["trip_id"])
    return dt.date.fromisoformat(trip["date"]) if trip else None


def outbox_kinds(db, request_id):
    return [row["kind"] for row in db["outbox"].rows_where("request_id = ?", [request_id])]


def test_tet_2027_days_are_public_holidays_with_no_trip(app, db, frozen):
    frozen(local(2027, 1, 25, 9, 0))
    days = {row["date"] for row in db["trips"].rows}
    assert "2027-02-02" in days and "2027-02-16" in days
    assert "2027-02-04" not in days  # Thursday, 29th of the lunar year
    assert "2027-02-09" not in days  # Tuesday, fourth day of Tết
    skipped = dict(trips.skipped_holidays(db))
    assert dt.date(2027, 2, 9) in skipped and dt.date(2027, 2, 4) in skipped


def test_a_request_made_in_tet_week_goes_to_the_first_trip_after_tet(app, db, frozen):
    frozen(local(2027, 2, 3, 10, 0))  # Wednesday before Tết
    request = book(db, 1, hamlet_id=THURSDAY_HAMLET)
    assert trip_day(db, request) == dt.date(2027, 2, 11)
    request = lifecycle.get(db, request["id"])
    assert request["status"] == "scheduled"
    assert clock.to_local(request["expected_datetime"]) == local(2027, 2, 11, 7, 30)


def test_a_full_trip_spills_over_the_tet_week_to_the_next_one(app, db, frozen):
    frozen(local(2027, 2, 1, 10, 0))
    first = [book(db, n) for n in range(CAPACITY)]
    ninth = book(db, 99)
    assert {trip_day(db, request) for request in first} == {dt.date(2027, 2, 2)}
    # 9 February is Tết: the next Tuesday with a trip is the 16th.
    assert trip_day(db, ninth) == dt.date(2027, 2, 16)
    assert trips.booked(db, lifecycle.get(db, first[0]["id"])["trip_id"]) == CAPACITY


def test_trip_generation_is_idempotent_and_reads_the_weeks_setting(app, db, frozen):
    frozen(local(2026, 12, 1, 6, 0))
    count = db["trips"].count
    with transaction(db):
        assert trips.ensure_trips(db) == 0
        db["settings"].upsert(
            {"commune_id": 1, "key": "trip_weeks_ahead", "value": "12"}, pk=("commune_id", "key")
        )
        assert trips.ensure_trips(db) > 0
    assert db["trips"].count > count
    last = max(row["date"] for row in db["trips"].rows)
    assert last >= "2027-02-16"


def test_vulnerable_residents_go_first_and_bump_the_latest_ordinary_request(app, db, frozen):
    frozen(local(2027, 3, 1, 10, 0))
    ordinary = [book(db, n) for n in range(CAPACITY)]
    vulnerable = book(db, 50, vulnerable=True)
    assert trip_day(db, vulnerable) == dt.date(2027, 3, 2)
    bumped = lifecycle.get(db, ordinary[-1]["id"])
    assert trip_day(db, bumped) == dt.date(2027, 3, 9)
    assert [e["action"] for e in lifecycle.events(db, bumped["id"])][-1] == "bumped"
    assert outbox_kinds(db, bumped["id"]) == ["rescheduled"]
    (notice,) = db["outbox"].rows_where("request_id = ? AND kind = 'rescheduled'", [bumped["id"]])
    assert notice["body"].startswith("Xa Phu Lam: Lich den nha ma " + bumped["ref"])
    assert "09/03" in notice["body"] and len(notice["body"]) <= 160
    # The others keep their trip; the sheet lists the vulnerable resident first.
    assert {trip_day(db, request) for request in ordinary[:-1]} == {dt.date(2027, 3, 2)}
    sheet = trips.trip_sheet(db, lifecycle.get(db, vulnerable["id"])["trip_id"])
    assert sheet[0]["ref"] == vulnerable["ref"] and sheet[0]["vulnerable_reasons"] == ["75+"]
    assert [row["ref"] for row in sheet[1:]] == [request["ref"] for request in ordinary[:-1]]


def test_a_full_trip_of_vulnerable_residents_makes_the_next_one_wait(app, db, frozen):
    frozen(local(2027, 3, 1, 10, 0))
    for n in range(CAPACITY):
        book(db, n, vulnerable=True)
    late = book(db, 60, vulnerable=True)
    assert trip_day(db, late) == dt.date(2027, 3, 9)


def test_a_visit_with_its_reminder_queued_is_never_bumped(app, db, frozen):
    frozen(local(2027, 3, 1, 17, 30))
    ordinary = [book(db, n) for n in range(CAPACITY)]
    assert scheduler.queue_reminders(db) == CAPACITY
    vulnerable = book(db, 50, vulnerable=True)
    assert trip_day(db, vulnerable) == dt.date(2027, 3, 9)
    assert {trip_day(db, request) for request in ordinary} == {dt.date(2027, 3, 2)}


def test_cancelling_a_trip_moves_each_request_and_tells_each_resident(app, db, frozen):
    frozen(local(2027, 3, 1, 10, 0))
    first = [book(db, n) for n in range(3)] + [book(db, 40, vulnerable=True)]
    trip_id = lifecycle.get(db, first[0]["id"])["trip_id"]
    with transaction(db):
        moved = trips.cancel_trip(db, trip_id, actor="lan", note="xe hỏng")
    assert trips.get(db, trip_id)["status"] == "cancelled"
    assert trips.get(db, trip_id)["cancelled_by"] == "lan"
    # Vulnerable first, then first come, first served, as on the cancelled trip.
    assert [request["ref"] for request in moved] == [first[3]["ref"]] + [
        request["ref"] for request in first[:3]
    ]
    for request in moved:
        assert trip_day(db, request) == dt.date(2027, 3, 9)
        assert request["priority"] == (1 if request["id"] == first[3]["id"] else 0)
        event = lifecycle.events(db, request["id"])[-1]
        assert (event["action"], event["actor"], event["actor_type"]) == (
            "trip_cancelled",
            "lan",
            "staff",
        )
        assert outbox_kinds(db, request["id"]) == ["rescheduled"]
    # A cancelled rule trip is not generated again.
    with transaction(db):
        trips.ensure_trips(db)
    assert db["trips"].count_where("date = '2027-03-02'") == 1


def test_cancelling_a_trip_into_full_trips_leaves_requests_waiting_with_a_notice(app, db, frozen):
    frozen(local(2027, 3, 1, 10, 0))
    with transaction(db):
        db["settings"].upsert(
            {"commune_id": 1, "key": "trip_weeks_ahead", "value": "1"}, pk=("commune_id", "key")
        )
        db.execute("DELETE FROM trip_hamlets")
        db.execute("DELETE FROM trips")
        trips.ensure_trips(db)
    request = book(db, 1)
    with transaction(db):
        trips.cancel_trip(db, request_trip(db, request), actor="lan")
    request = lifecycle.get(db, request["id"])
    assert (request["status"], request["trip_id"], request["expected_datetime"]) == (
        "new",
        None,
        None,
    )
    (notice,) = db["outbox"].rows_where("request_id = ?", [request["id"]])
    assert "Can bo se bao ngay moi" in notice["body"]


def request_trip(db, request):
    return lifecycle.get(db, request["id"])["trip_id"]


def test_staff_can_move_a_request_and_the_resident_hears_the_new_date(app, db, frozen):
    frozen(local(2027, 3, 1, 10, 0))
    request = book(db, 1)
    later = trips.upcoming_for_hamlet(db, TUESDAY_HAMLET)[2]
    with transaction(db):
        moved = trips.move_to_trip(db, request["id"], later["id"], actor="lan")
    assert moved["trip_id"] == later["id"] and moved["expected_datetime"] == later["starts_at"]
    assert outbox_kinds(db, request["id"]) == ["rescheduled"]
    assert lifecycle.events(db, request["id"])[-1]["action"] == "moved"


def test_moving_to_a_trip_that_does_not_serve_the_hamlet_is_refused(app, db, frozen):
    frozen(local(2027, 3, 1, 10, 0))
    request = book(db, 1)
    thursday = trips.upcoming_for_hamlet(db, THURSDAY_HAMLET)[0]
    with pytest.raises(trips.TripError, match="does not go to"):
        trips.move_to_trip(db, request["id"], thursday["id"], actor="lan")


def test_moving_to_a_full_trip_is_refused_unless_forced(app, db, frozen):
    frozen(local(2027, 3, 1, 10, 0))
    [book(db, n) for n in range(CAPACITY)]
    late = book(db, 70)
    full = trips.upcoming_for_hamlet(db, TUESDAY_HAMLET)[0]
    with pytest.raises(trips.TripFull):
        trips.move_to_trip(db, late["id"], full["id"], actor="lan")
    with transaction(db):
        trips.move_to_trip(db, late["id"], full["id"], actor="lan", force=True)
    assert trips.booked(db, full["id"]) == CAPACITY + 1


def test_an_extra_trip_books_requests_that_were_waiting(app, db, frozen):
    frozen(local(2027, 3, 1, 10, 0))
    with transaction(db):
        waiting, _ = service_requests.open_request(
            db, Asked(phone=phone(1), kind=lifecycle.VISIT, channel="staff", hamlet_id=None)
        )
        residents.update(db, waiting["resident_id"], hamlet_id=TUESDAY_HAMLET)
        db["requests"].update(waiting["id"], {"hamlet_id": TUESDAY_HAMLET})
        trip = trips.add_extra_trip(
            db, "2027-03-01", "afternoon", "13:30", "16:30", [TUESDAY_HAMLET], 4, actor="lan"
        )
    assert (trip["is_extra"], trip["created_by"], trip["capacity"]) == (1, "lan", 4)
    assert lifecycle.get(db, waiting["id"])["trip_id"] == trip["id"]
    assert outbox_kinds(db, waiting["id"]) == ["confirmation"]


@pytest.mark.parametrize(
    "args, message",
    [
        (("2027-03-05", "evening", "13:00", "16:00", [1], 4), "session"),
        (("2027-03-05", "morning", "11:00", "08:00", [1], 4), "end after"),
        (("2027-03-05", "morning", "7h30", "11:00", [1], 4), "HH:MM"),
        (("2027-03-05", "morning", "07:30", "11:00", [], 4), "at least one hamlet"),
        (("2027-03-05", "morning", "07:30", "11:00", [1], 0), "capacity"),
        (("2027-02-20", "morning", "07:30", "11:00", [1], 4), "future"),
    ],
)
def test_bad_extra_trips_are_refused_with_a_reason(app, db, frozen, args, message):
    frozen(local(2027, 3, 1, 10, 0))
    with pytest.raises(trips.TripError, match=message):
        trips.add_extra_trip(db, *args, actor="lan")


def test_editing_a_rule_updates_its_planned_trips_and_refuses_clashes(app, db, frozen):
    frozen(local(2027, 3, 1, 10, 0))
    request = book(db, 1)
    tuesday = next(rule for rule in trips.list_rules(db) if rule["weekday"] == 1)
    with transaction(db):
        rule = trips.save_rule(
            db,
            rule_id=tuesday["id"],
            weekday=1,
            session="morning",
            start_time="08:00",
            end_time="11:00",
            hamlet_ids=tuesday["hamlet_ids"],
            capacity=10,
            actor="admin",
        )
    assert (rule["capacity"], rule["start_time"], rule["updated_by"]) == (10, "08:00", "admin")
    request = lifecycle.get(db, request["id"])
    assert clock.to_local(request["expected_datetime"]) == local(2027, 3, 2, 8, 0)
    assert trips.get(db, request["trip_id"])["capacity"] == 10
    with pytest.raises(trips.TripError, match="already covers"):
        trips.save_rule(
            db,
            weekday=1,
            session="morning",
            start_time="07:00",
            end_time="09:00",
            hamlet_ids=[7],
            capacity=3,
            actor="admin",
        )


def test_moving_a_rule_to_another_day_cancels_its_trips_and_rebooks_requests(app, db, frozen):
    frozen(local(2027, 3, 1, 10, 0))
    request = book(db, 1)
    tuesday = next(rule for rule in trips.list_rules(db) if rule["weekday"] == 1)
    with transaction(db):
        trips.save_rule(
            db,
            rule_id=tuesday["id"],
            weekday=2,
            session="morning",
            start_time="07:30",
            end_time="11:30",
            hamlet_ids=tuesday["hamlet_ids"],
            capacity=8,
            actor="admin",
        )
    assert trip_day(db, request) == dt.date(2027, 3, 3)  # Wednesday now
    assert outbox_kinds(db, request["id"]) == ["rescheduled"]


def test_capacity_summary_counts_bookings_per_hamlet(app, db, frozen):
    frozen(local(2027, 3, 1, 10, 0))
    book(db, 1, hamlet_id=1)
    book(db, 2, hamlet_id=2)
    book(db, 3, hamlet_id=2)
    summary = trips.capacity_summary(db, weeks=1)
    assert [item["date"] for item in summary] == ["2027-03-02", "2027-03-04"]
    tuesday = summary[0]
    assert (tuesday["booked"], tuesday["remaining"]) == (3, CAPACITY - 3)
    assert [(h["id"], h["booked"]) for h in tuesday["hamlets"]] == [
        (1, 1),
        (2, 2),
        (3, 0),
        (4, 0),
        (5, 0),
    ]


def test_the_trip_sheet_follows_the_route_and_lists_documents(app, db, frozen):
    frozen(local(2027, 3, 1, 10, 0))
    far = book(db, 1, hamlet_id=5)
    near = book(db, 2, hamlet_id=1)
    with transaction(db):
        db["requests"].update(
            near["id"], {"service_code": "CANCUOC", "description": "làm căn cước"}
        )
    sheet = trips.trip_sheet(db, request_trip(db, far))
    assert [row["ref"] for row in sheet] == [near["ref"], far["ref"]]
    first = sheet[0]
    assert first["phone_display"] == "0912 000 002"
    assert first["hamlet"] == "Phú Hòa A"
    assert first["need"] and first["documents"]
    assert first["vulnerable"] is False


def test_a_visited_request_cannot_be_moved(app, db, frozen):
    frozen(local(2027, 3, 1, 10, 0))
    request = book(db, 1)
    with on_trip_day(db, request["id"]), transaction(db):
        service_requests.mark_visited(db, request["id"], actor="lan")
    later = trips.upcoming_for_hamlet(db, TUESDAY_HAMLET)[1]
    with pytest.raises(lifecycle.InvalidTransition):
        trips.move_to_trip(db, request["id"], later["id"], actor="lan")
