"""Call-backs through the real twilio client against a local fake API, with the clock moved."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from flask import current_app

from app import lifecycle
from app.catalogue import commune_settings
from app.infra import clock
from app.language import phones
from app.request_queue import callbacks, service_requests
from app.request_queue.asked import Asked
from db import transaction
from tests.conftest import PUBLIC_BASE_URL
from tests.fakes.twilio_api import FakeTwilioAPI

LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")
RESIDENT = "+84912345678"


def local(day, hour, minute=0):
    """An aware datetime at local HOUR:MINUTE on 2026-12-DAY."""
    return dt.datetime(2026, 12, day, hour, minute, tzinfo=LOCAL)


@pytest.fixture
def fake(app):
    """The fake Twilio API, with the app's REST client pointed at it."""
    with FakeTwilioAPI(app.config["TWILIO_ACCOUNT_SID"], app.config["TWILIO_AUTH_TOKEN"]) as api:
        app.config["TWILIO_API_BASE_URL"] = api.base_url
        yield api


@pytest.fixture
def clock_at():
    """Stop the clock at a local time; call again to move it."""
    with time_machine.travel(local(1, 10), tick=False) as traveller:
        yield lambda moment: traveller.move_to(moment)


def row(db, callback_id):
    return callbacks.get(db, callback_id)


def status_callback(twilio_post, call_sid, status):
    """Twilio's status callback for a call we placed (the resident is To)."""
    response = twilio_post(
        "/voice/status",
        {
            "CallSid": call_sid,
            "CallStatus": status,
            "Direction": "outbound-api",
            "From": "+84000000000",
            "To": RESIDENT,
        },
    )
    assert response.status_code == 200


def test_a_call_back_rings_the_resident_into_the_voice_menu(app, db, fake, clock_at):
    callback = callbacks.request_callback(db, "0912 345 678", requested_by="lan")
    assert callbacks.run_due_callbacks(db, current_app.config) == 1
    [placed] = fake.calls
    assert placed["to"] == RESIDENT
    assert placed["from"] == app.config["TWILIO_FROM_NUMBER"]
    assert placed["url"] == PUBLIC_BASE_URL + "/voice/incoming?mode=callback"
    assert placed["status_callback"] == PUBLIC_BASE_URL + "/voice/status"
    current = row(db, callback["id"])
    assert (current["status"], current["attempts"], current["call_sid"]) == (
        "calling",
        1,
        placed["sid"],
    )
    assert callbacks.run_due_callbacks(db, current_app.config) == 0


@pytest.mark.parametrize("outcome", ["busy", "no-answer", "failed"])
def test_an_unanswered_call_back_is_retried_after_15_minutes_1_hour_and_3_hours(
    db, fake, clock_at, twilio_post, outcome
):
    callback = callbacks.request_callback(db, RESIDENT, requested_by="lan")
    now = local(1, 10)
    waits = []
    for _attempt in range(4):
        assert callbacks.run_due_callbacks(db, current_app.config) == 1
        status_callback(twilio_post, fake.calls[-1]["sid"], outcome)
        current = row(db, callback["id"])
        if current["status"] == "failed":
            break
        due = clock.parse(current["next_attempt_at"])
        waits.append(due - now)
        clock_at(due - dt.timedelta(seconds=1))
        assert callbacks.run_due_callbacks(db, current_app.config) == 0  # not a second early
        now = due
        clock_at(now)
    assert waits == [dt.timedelta(minutes=15), dt.timedelta(hours=1), dt.timedelta(hours=3)]
    current = row(db, callback["id"])
    assert (current["status"], current["attempts"], current["last_status"]) == (
        "failed",
        4,
        outcome,
    )
    assert len(fake.calls) == 4
    clock_at(local(2, 10))
    assert callbacks.run_due_callbacks(db, current_app.config) == 0


def test_a_retry_that_would_fall_after_20_00_waits_for_07_00(db, fake, clock_at, twilio_post):
    clock_at(local(1, 19, 50))
    callback = callbacks.request_callback(db, RESIDENT, requested_by="lan")
    callbacks.run_due_callbacks(db, current_app.config)
    clock_at(local(1, 19, 55))
    status_callback(twilio_post, fake.calls[-1]["sid"], "no-answer")
    assert row(db, callback["id"])["next_attempt_at"] == clock.iso(local(2, 7))
    clock_at(local(1, 23, 30))
    assert callbacks.run_due_callbacks(db, current_app.config) == 0
    clock_at(local(2, 7))
    assert callbacks.run_due_callbacks(db, current_app.config) == 1


def test_a_call_back_asked_for_at_night_is_placed_at_07_00(db, fake, clock_at):
    clock_at(local(1, 22))
    callback = callbacks.request_callback(db, RESIDENT, requested_by="lan")
    assert row(db, callback["id"])["next_attempt_at"] == clock.iso(local(2, 7))
    assert callbacks.run_due_callbacks(db, current_app.config) == 0
    clock_at(local(2, 6, 59))
    assert callbacks.run_due_callbacks(db, current_app.config) == 0
    clock_at(local(2, 7))
    assert callbacks.run_due_callbacks(db, current_app.config) == 1


def test_a_worker_that_wakes_after_20_00_does_not_ring_until_morning(db, fake, clock_at):
    callback = callbacks.request_callback(db, RESIDENT, requested_by="lan")
    clock_at(local(1, 21))
    assert callbacks.run_due_callbacks(db, current_app.config) == 0
    assert fake.calls == []
    assert row(db, callback["id"])["next_attempt_at"] == clock.iso(local(2, 7))


def test_an_answered_call_back_is_completed_and_noted_on_its_request(
    db, fake, clock_at, twilio_post
):
    with transaction(db):
        request, _created = service_requests.open_request(
            db, Asked(phone=RESIDENT, kind="question", channel="sms")
        )
    callback = callbacks.request_callback(
        db, RESIDENT, request_id=request["id"], requested_by="lan"
    )
    callbacks.run_due_callbacks(db, current_app.config)
    status_callback(twilio_post, fake.calls[-1]["sid"], "completed")
    assert row(db, callback["id"])["status"] == "completed"
    actions = [event["action"] for event in lifecycle.events(db, request["id"])]
    assert actions == ["opened", "callback_requested", "callback_answered"]


def test_a_repeated_status_callback_does_not_use_up_a_retry(db, fake, clock_at, twilio_post):
    callback = callbacks.request_callback(db, RESIDENT, requested_by="lan")
    callbacks.run_due_callbacks(db, current_app.config)
    for _retry in range(3):
        status_callback(twilio_post, fake.calls[-1]["sid"], "busy")
    current = row(db, callback["id"])
    assert (current["status"], current["attempts"]) == ("pending", 1)
    assert current["next_attempt_at"] == clock.iso(local(1, 10, 15))


def test_a_provider_error_counts_as_a_failed_attempt(db, fake, clock_at):
    fake.fail_next(1, status=503)
    callback = callbacks.request_callback(db, RESIDENT, requested_by="lan")
    assert callbacks.run_due_callbacks(db, current_app.config) == 0
    current = row(db, callback["id"])
    assert (current["status"], current["attempts"], current["last_status"]) == (
        "pending",
        1,
        "failed",
    )
    clock_at(local(1, 10, 15))
    assert callbacks.run_due_callbacks(db, current_app.config) == 1


def test_a_phone_has_one_call_back_waiting_at_a_time(db, clock_at):
    first = callbacks.request_callback(db, RESIDENT, requested_by="lan")
    second = callbacks.request_callback(db, "0912345678", requested_by="minh")
    assert first == second
    assert db["callbacks"].count == 1


def test_an_invalid_number_cannot_be_called_back(db):
    with pytest.raises(phones.InvalidPhone):
        callbacks.request_callback(db, "not a phone", requested_by="lan")


def test_a_claim_left_by_a_crashed_worker_is_retried(db, fake, clock_at):
    callback = callbacks.request_callback(db, RESIDENT, requested_by="lan")
    with transaction(db):
        db["callbacks"].update(callback["id"], {"status": "calling", "attempts": 1})
    clock_at(local(1, 10, 11))
    assert callbacks.run_due_callbacks(db, current_app.config) == 1
    assert row(db, callback["id"])["attempts"] == 2


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        (local(1, 6, 59), local(1, 7)),
        (local(1, 7), local(1, 7)),
        (local(1, 19, 59), local(1, 19, 59)),
        (local(1, 20), local(2, 7)),
        (local(1, 23, 30), local(2, 7)),
        (local(2, 0, 10), local(2, 7)),
    ],
)
def test_call_backs_are_kept_between_07_00_and_20_00_local_by_default(app, db, at, expected):
    with app.app_context():
        assert callbacks.into_window(db, at) == expected


@pytest.mark.parametrize(
    ("quiet", "at", "expected"),
    [
        (("21:30", "06:00"), local(1, 21), local(1, 21)),
        (("21:30", "06:00"), local(1, 21, 30), local(2, 6)),
        (("21:30", "06:00"), local(2, 5, 59), local(2, 6)),
        (("21:30", "06:00"), local(2, 6), local(2, 6)),
        (("12:00", "13:30"), local(1, 11, 59), local(1, 11, 59)),
        (("12:00", "13:30"), local(1, 12, 15), local(1, 13, 30)),
        (("12:00", "13:30"), local(1, 22), local(1, 22)),
    ],
)
def test_call_backs_follow_the_quiet_hours_in_the_commune_settings(db, quiet, at, expected):
    with transaction(db):
        commune_settings.save(db, {"quiet_start": quiet[0], "quiet_end": quiet[1]})
    assert callbacks.into_window(db, at) == expected


def test_a_call_back_asked_for_after_the_settings_quiet_start_waits_for_its_end(db, fake, clock_at):
    with transaction(db):
        commune_settings.save(db, {"quiet_start": "19:00", "quiet_end": "08:00"})
    clock_at(local(1, 19, 30))
    callback = callbacks.request_callback(db, RESIDENT, requested_by="lan")
    assert row(db, callback["id"])["next_attempt_at"] == clock.iso(local(2, 8))
    clock_at(local(2, 7, 30))
    assert callbacks.run_due_callbacks(db, current_app.config) == 0
    clock_at(local(2, 8))
    assert callbacks.run_due_callbacks(db, current_app.config) == 1


def test_the_worker_pass_places_a_due_call_back(app, db, fake, clock_at):
    from app.ops import worker

    callbacks.request_callback(db, "0912 345 678", requested_by="lan")
    with app.app_context():
        result = worker.run_pass(db)
    assert result["jobs"]["callbacks"] == 1
    assert [call["to"] for call in fake.calls] == [RESIDENT]


def inbound_call(twilio_post, call_sid, phone=RESIDENT):
    response = twilio_post(
        "/voice/incoming", {"CallSid": call_sid, "From": phone, "To": "+84000000000"}
    )
    assert response.status_code == 200


def hang_up(twilio_post, call_sid, phone=RESIDENT, duration="4"):
    response = twilio_post(
        "/voice/status",
        {
            "CallSid": call_sid,
            "CallStatus": "completed",
            "CallDuration": duration,
            "Direction": "inbound",
            "From": phone,
            "To": "+84000000000",
        },
    )
    assert response.status_code == 200


def test_a_caller_who_hangs_up_at_the_greeting_is_called_back(db, clock_at, twilio_post):
    inbound_call(twilio_post, "CA" + "1" * 32)
    hang_up(twilio_post, "CA" + "1" * 32)
    hang_up(twilio_post, "CA" + "1" * 32)  # Twilio may repeat the callback
    rows = list(db["callbacks"].rows)
    assert [(r["phone"], r["requested_by"], r["status"]) for r in rows] == [
        (RESIDENT, "missed-call", "pending")
    ]


def test_a_missed_call_soon_after_another_is_not_called_back_twice(db, clock_at, twilio_post):
    for n in (1, 2):
        inbound_call(twilio_post, f"CA{n:032d}")
        hang_up(twilio_post, f"CA{n:032d}")
        with transaction(db):
            db.execute("UPDATE callbacks SET status = 'completed'")
    assert db["callbacks"].count == 1


@pytest.mark.parametrize(
    ("phone", "duration"),
    [
        (RESIDENT, "45"),  # a real conversation with the menu, just no key pressed
        ("+842963123456", "4"),  # a landline: the menu can ring it, but it is no missed call
    ],
)
def test_long_calls_and_landlines_are_not_missed_calls(db, clock_at, twilio_post, phone, duration):
    inbound_call(twilio_post, "CA" + "3" * 32, phone=phone)
    hang_up(twilio_post, "CA" + "3" * 32, phone=phone, duration=duration)
    assert db["callbacks"].count == 0


def test_a_caller_who_used_the_menu_is_not_called_back(db, clock_at, twilio_post):
    sid = "CA" + "4" * 32
    inbound_call(twilio_post, sid)
    step = twilio_post("/voice/menu?n=1", {"CallSid": sid, "From": RESIDENT, "Digits": "3"})
    assert step.status_code == 200
    assert db["call_steps"].count_where("call_sid = ?", [sid]) == 2
    hang_up(twilio_post, sid, duration="12")
    assert db["callbacks"].count == 0


def test_without_a_twilio_account_a_call_back_fails_at_once_and_says_why(app, db, clock_at):
    # The embedded default (console transport, no Twilio account) cannot ring anyone.
    assert "TWILIO_API_BASE_URL" not in app.config or not app.config["TWILIO_API_BASE_URL"]
    with transaction(db):
        visit, _ = service_requests.open_request(
            db, Asked(phone="0912 345 678", kind=lifecycle.VISIT, channel="staff", hamlet_id=1)
        )
    callback = callbacks.request_callback(
        db, "0912 345 678", request_id=visit["id"], requested_by="lan"
    )
    with app.app_context():
        assert callbacks.run_due_callbacks(db, current_app.config) == 0
    assert (row(db, callback["id"])["status"], row(db, callback["id"])["last_status"]) == (
        "failed",
        "no Twilio account",
    )
    event = lifecycle.events(db, visit["id"])[-1]
    assert (event["action"], event["note"]) == ("callback_failed", "no Twilio account")


def place_call_back(db, fake):
    callback = callbacks.request_callback(db, RESIDENT, requested_by="lan")
    assert callbacks.run_due_callbacks(db, current_app.config) == 1
    return callback, fake.calls[-1]["sid"]


def test_a_call_back_whose_status_never_came_is_retried_after_15_minutes(db, fake, clock_at):
    callback, call_sid = place_call_back(db, fake)
    fake.set_call_status(call_sid, "no-answer")
    clock_at(local(1, 10, 14))
    callbacks.run_due_callbacks(db, current_app.config)
    assert row(db, callback["id"])["status"] == "calling"  # not yet 15 minutes
    clock_at(local(1, 10, 16))
    callbacks.run_due_callbacks(db, current_app.config)
    waiting = row(db, callback["id"])
    assert (waiting["status"], waiting["last_status"]) == ("pending", "no-answer")
    clock_at(local(1, 10, 31))
    assert callbacks.run_due_callbacks(db, current_app.config) == 1
    assert len(fake.calls) == 2 and row(db, callback["id"])["attempts"] == 2


def test_a_stuck_call_back_twilio_reports_answered_is_completed_not_rung_again(db, fake, clock_at):
    callback, call_sid = place_call_back(db, fake)
    fake.set_call_status(call_sid, "completed")
    clock_at(local(1, 10, 16))
    callbacks.run_due_callbacks(db, current_app.config)
    assert row(db, callback["id"])["status"] == "completed"
    clock_at(local(1, 12))
    assert callbacks.run_due_callbacks(db, current_app.config) == 0 and len(fake.calls) == 1


def test_a_stuck_call_back_twilio_does_not_know_is_retried(db, fake, clock_at):
    callback, _ = place_call_back(db, fake)
    with transaction(db):
        db["callbacks"].update(callback["id"], {"call_sid": "CA" + "9" * 32})
    clock_at(local(1, 10, 16))
    callbacks.run_due_callbacks(db, current_app.config)
    waiting = row(db, callback["id"])
    assert waiting["status"] == "pending"
    assert waiting["last_status"] == "no status callback (unknown)"


def test_a_call_still_in_progress_is_waited_for_then_reclaimed_after_an_hour(db, fake, clock_at):
    callback, call_sid = place_call_back(db, fake)
    fake.set_call_status(call_sid, "in-progress")
    clock_at(local(1, 10, 30))
    callbacks.run_due_callbacks(db, current_app.config)
    assert row(db, callback["id"])["status"] == "calling"
    clock_at(local(1, 11, 1))
    callbacks.run_due_callbacks(db, current_app.config)
    assert row(db, callback["id"])["status"] == "pending"
    # The phone is no longer blocked: asking again finds the waiting retry, not a stuck call.
    assert callbacks.pending_for(db, RESIDENT)["status"] == "pending"
