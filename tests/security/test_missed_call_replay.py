"""A replayed missed-call status callback never queues a second call-back for the same call."""

import datetime as dt
from zoneinfo import ZoneInfo

import time_machine

from db import transaction

LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")
RESIDENT = "+84912345678"
CALL_SID = "CA" + "7" * 32


def ring_and_hang_up(twilio_post):
    """The resident "beeps" the number: the call and its signed final status callback."""
    incoming = twilio_post(
        "/voice/incoming", {"CallSid": CALL_SID, "From": RESIDENT, "To": "+84000000000"}
    )
    assert incoming.status_code == 200
    return replay(twilio_post)


def replay(twilio_post):
    """Post the very same signed status callback again, as an eavesdropper could."""
    params = {
        "CallSid": CALL_SID,
        "CallStatus": "completed",
        "CallDuration": "4",
        "Direction": "inbound",
        "From": RESIDENT,
        "To": "+84000000000",
    }
    response = twilio_post("/voice/status", params)
    assert response.status_code == 200
    return response


def test_a_status_callback_replayed_hours_later_rings_nobody_again(store, twilio_post):
    with time_machine.travel(dt.datetime(2026, 12, 1, 10, 0, tzinfo=LOCAL), tick=False) as t:
        ring_and_hang_up(twilio_post)
        assert store["callbacks"].count == 1
        with transaction(store):
            store.execute("UPDATE callbacks SET status = 'completed'")
        for hours in (7, 30, 24 * 8):
            t.move_to(dt.datetime(2026, 12, 1, 10, 0, tzinfo=LOCAL) + dt.timedelta(hours=hours))
            replay(twilio_post)
    assert [(row["phone"], row["missed_call_sid"]) for row in store["callbacks"].rows] == [
        (RESIDENT, CALL_SID)
    ]


def test_a_new_missed_call_the_next_day_is_still_called_back(store, twilio_post):
    with time_machine.travel(dt.datetime(2026, 12, 1, 10, 0, tzinfo=LOCAL), tick=False) as t:
        ring_and_hang_up(twilio_post)
        with transaction(store):
            store.execute("UPDATE callbacks SET status = 'completed'")
        t.move_to(dt.datetime(2026, 12, 2, 10, 0, tzinfo=LOCAL))
        other = "CA" + "8" * 32
        assert (
            twilio_post(
                "/voice/incoming", {"CallSid": other, "From": RESIDENT, "To": "+84000000000"}
            ).status_code
            == 200
        )
        params = {
            "CallSid": other,
            "CallStatus": "completed",
            "CallDuration": "3",
            "Direction": "inbound",
            "From": RESIDENT,
            "To": "+84000000000",
        }
        assert twilio_post("/voice/status", params).status_code == 200
    assert [row["missed_call_sid"] for row in store["callbacks"].rows] == [CALL_SID, other]
