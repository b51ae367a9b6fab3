"""Gateway outage: the phone goes silent for 20 minutes (simulated clock), then comes back.

A fake phone that behaves like SMS Gateway for Android (signed webhooks, retries, a
duplicate now and then, a clock 2 minutes slow) talks over HTTP to the app on a loopback
port; the worker answers through the real android-sms-gateway client. Residents keep
texting while the phone is asleep (Doze), so their texts reach its inbox but no webhook.
The banner, /healthz and /metrics must show the silence, and after the phone is back the inbox
re-delivery must leave no text lost and none stored or answered twice.
"""

import collections
import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from app.delivery import gateway_watch
from app.ops import worker
from bench import loadgen
from db import transaction
from tests.conftest import signed_in_client
from tests.fakes.gateway_phone import FakeGatewayPhone
from tests.fakes.live_app import LiveApp
from tests.test_metrics import samples

VN = ZoneInfo("Asia/Ho_Chi_Minh")
START = dt.datetime(2027, 3, 1, 9, 0, tzinfo=VN)
SIGNING_KEY = "gateway-signing-key-for-the-outage-test"
TEXTS = ["XEM", "LICH", "HOI co can mang so ho khau khong", "HD", "TRO GIUP"]
BANNER = "Điện thoại nhận tin nhắn im lặng từ 09:40"
# The first commune's default gateway device: channel 1 (migration 0018).
DEFAULT_DEVICE = 1
DEFAULT_LABELS = frozenset({("commune", "PHULAM"), ("device", "default")})


def settle(phone, db, rounds=10):
    """Let the phone and the worker talk until nothing is left to do."""
    for _ in range(rounds):
        posted = phone.deliver_webhooks()
        sent = worker.run_pass(db)["sent"]
        phone.process_outgoing()
        if not posted and not sent:
            return
    raise AssertionError("the phone and the worker did not settle")


@pytest.mark.slow
def test_a_20_minute_silence_is_shown_and_its_texts_are_re_delivered_once(app, db, runner):
    with (
        time_machine.travel(START, tick=False) as clock,
        LiveApp(app) as live,
        FakeGatewayPhone(SIGNING_KEY) as phone,
    ):
        app.config.update(
            SMS_TRANSPORT="gateway",
            SMS_GATEWAY_URL=phone.base_url,
            SMS_GATEWAY_USERNAME="sms",
            SMS_GATEWAY_PASSWORD="secret",
            SMS_GATEWAY_SIGNING_KEY=SIGNING_KEY,
            PUBLIC_BASE_URL=live.url,
        )
        assert runner.invoke(args=["gateway", "register", "--mode", "local"]).exit_code == 0
        with transaction(db):
            # The alarm after 15 minutes, so a 20-minute silence must raise it.
            db["settings"].upsert(
                {"commune_id": 1, "key": "gateway_silence_minutes", "value": "15"},
                pk=("commune_id", "key"),
            )
        staff = signed_in_client(app, "lan", "staff")
        health = app.test_client()
        residents = [loadgen.mobile_number(5_000_000 + n) for n in range(70)]
        sent_texts = []

        def minute(n, *, asleep=False):
            """Minute N after 09:00: one resident texts; the phone pings every 5 minutes."""
            clock.move_to(START + dt.timedelta(minutes=n))
            text = f"{TEXTS[n % len(TEXTS)]}"
            entry = phone.receive(residents[n], text, sim=1 + n % 2)
            sent_texts.append((residents[n], text))
            if not asleep:
                if n % 5 == 0:
                    phone.ping()
                settle(phone, db)
            return entry

        for n in range(40):  # 09:00-09:39, all delivered
            minute(n)
        clock.move_to(START + dt.timedelta(minutes=40))
        phone.ping()
        settle(phone, db)  # last heard from at 09:40
        clock.move_to(START + dt.timedelta(minutes=40, seconds=20))
        phone.receive(residents[40], "XEM", sim=2)  # its webhook is queued, then Doze
        sent_texts.append((residents[40], "XEM"))
        phone.sleep()
        for n in range(41, 60):  # 09:41-09:59: texts reach the inbox only
            minute(n, asleep=True)
            if n == 54:
                assert BANNER not in staff.get("/").get_data(as_text=True)
            if n == 56:
                assert BANNER in staff.get("/").get_data(as_text=True)
                during = health.get("/healthz").get_json()["gateway"]
                assert during["last_seen"] == "2027-03-01T02:40:00Z"
                assert during["silent"] is True and during["silent_minutes"] == 16
                gauges = samples(health.get("/metrics").get_data(as_text=True))
                assert gauges[("hamlet_gateway_silent_seconds", DEFAULT_LABELS)] == 16 * 60
        clock.move_to(START + dt.timedelta(minutes=60))
        phone.wake()  # back at 10:00
        settle(phone, db)
        for n in range(60, 70):  # 10:00-10:09, normal again
            minute(n)
        assert BANNER not in staff.get("/").get_data(as_text=True)
        after = health.get("/healthz").get_json()["gateway"]
        assert after["silent"] is False and after["last_seen"] >= "2027-03-01T03:09:00Z"

    inbound = [(row["phone"], row["body"]) for row in db["messages"].rows_where("direction = 'in'")]
    # No text lost, none stored twice.
    assert collections.Counter(inbound) == collections.Counter(sent_texts)
    assert len(inbound) == 70
    state = gateway_watch.state(db, DEFAULT_DEVICE)
    assert state["recovery_note"] == "asked" and state["gap_from"] is None
    # The re-delivery sent texts the app already had, as well as the missed ones.
    received_posts = phone.delivered("sms:received")
    assert len(received_posts) > 70
    # Every reply was sent once, to its resident, from the SIM the text came in on.
    replies = list(db["outbox"].rows_where("kind = 'reply'"))
    assert {row["status"] for row in replies} == {"sent"}
    assert len(phone.messages) == len(replies)
    per_inbound = collections.Counter(row["reply_to_id"] for row in replies)
    stored = {row["id"]: row for row in db["messages"].rows_where("direction = 'in'")}
    expected_replies = {
        "XEM": 1,
        "LICH": 1,
        "HOI co can mang so ho khau khong": 1,
        "HD": 1,
        "TRO GIUP": 1,
    }
    for inbound_id, row in stored.items():
        assert per_inbound[inbound_id] == expected_replies[row["body"]], row
    sims = {residents[n]: 1 + n % 2 for n in range(70)}
    sims[residents[40]] = 2
    for message in phone.messages.values():
        assert message["simNumber"] == sims[message["phoneNumbers"][0]]
    assert phone.dropped == []
    print(
        f"\ngateway outage: {len(inbound)} texts stored once from {len(received_posts)} "
        f"sms:received deliveries; {len(phone.messages)} replies, each sent once"
    )
