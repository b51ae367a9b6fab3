"""The gateway phone's sending budget: reminder bursts spread out, urgent messages first.

The fake phone (tests/fakes/gateway_phone.py) enforces Android's SmsUsageMonitor rule: past
30 parts in 60 s it shows a dialog and sends nothing more until a person taps it. The outbox
must never get it there: it hands the phone at most SMS_GATEWAY_PARTS_PER_MINUTE parts a
minute (25 by default), reminders within 20 of them, so answers to residents still go.
The clock is simulated; the worker and the phone take turns every 5 seconds.
"""

import collections
import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from app.delivery import gateway_budget, outbox
from bench import loadgen
from db import transaction
from tests.conftest import send_due, signed_in_client
from tests.fakes.gateway_phone import SMS_MAX_COUNT, FakeGatewayPhone
from tests.fakes.live_app import LiveApp

VN = ZoneInfo("Asia/Ho_Chi_Minh")
START = dt.datetime(2027, 3, 1, 15, 0, tzinfo=VN)  # the afternoon before a trip day
SIGNING_KEY = "gateway-signing-key-for-the-budget-test"
REMINDER = "Xa Phu Lam: Nhac lich: to luu dong den nha ong ba sang mai thu Ba 02/03. Ma {n}."
LONG = REMINDER + " Mang theo can cuoc va so ho khau, giay to dat neu co. Hoi them: goi xa."
STEP = dt.timedelta(seconds=5)


def run(
    app, db, runner, *, reminders, urgent_every=0, parts_per_minute=None, long_every=0, then=None
):
    """Queue REMINDERS (and an urgent reply every URGENT_EVERY of them); send them all.

    Returns the figures: dialogs, parts in the busiest minute, minutes taken, lost, doubled
    and the longest wait of an urgent reply.
    """
    with (
        time_machine.travel(START, tick=False) as clock,
        LiveApp(app) as live,
        FakeGatewayPhone(SIGNING_KEY, duplicate_every=0) as phone,
    ):
        app.config.update(
            SMS_TRANSPORT="gateway",
            SMS_GATEWAY_URL=phone.base_url,
            SMS_GATEWAY_USERNAME="sms",
            SMS_GATEWAY_PASSWORD="secret",
            SMS_GATEWAY_SIGNING_KEY=SIGNING_KEY,
            PUBLIC_BASE_URL=live.url,
        )
        if parts_per_minute:
            app.config["SMS_GATEWAY_PARTS_PER_MINUTE"] = parts_per_minute
        assert runner.invoke(args=["gateway", "register", "--mode", "local"]).exit_code == 0
        queued, urgent = [], {}
        with transaction(db):
            for n in range(reminders):
                body = (LONG if long_every and n % long_every == 0 else REMINDER).format(n=n)
                phone_number = loadgen.mobile_number(7_000_000 + n)
                outbox.enqueue(db, phone_number, body, kind="reminder", dedupe_key=f"rem:{n}")
                queued.append((phone_number, body))
        sent_at = {}
        steps = 0
        while steps < 12 * 60:  # an hour of simulated time at most
            if urgent_every and steps % 12 == 6 and len(urgent) < reminders // urgent_every:
                # A resident texts in the middle of the burst: the answer must not wait for it.
                number = loadgen.mobile_number(8_000_000 + steps)
                body = f"Xa Phu Lam: tra loi {steps}"
                with transaction(db):
                    outbox.enqueue(db, number, body, kind="reply", dedupe_key=f"reply:{steps}")
                urgent[(number, body)] = dt.datetime.now(dt.UTC)
                queued.append((number, body))
            send_due(db)
            phone.process_outgoing()
            phone.deliver_webhooks()
            now = dt.datetime.now(dt.UTC)
            for message in phone.messages.values():
                if message["state"] != "Pending":
                    sent_at.setdefault(message["id"], now)
            steps += 1
            if len(sent_at) == len(queued) or phone.awaiting_tap:
                break
            clock.shift(STEP)
        handed = [(m["phoneNumbers"][0], m["text"]) for m in phone.messages.values()]
        by_time = sorted(sent_at.values())
        busiest = max(
            (
                sum(
                    gateway_budget.parts(phone.messages[i]["text"])
                    for i, at in sent_at.items()
                    if start <= at < start + dt.timedelta(seconds=60)
                )
                for start in by_time
            ),
            default=0,
        )
        sent_ids = {m["id"]: (m["phoneNumbers"][0], m["text"]) for m in phone.messages.values()}
        waits = [
            (sent_at[i] - urgent[pair]).total_seconds()
            for i, pair in sent_ids.items()
            if pair in urgent and i in sent_at
        ]
        counts = collections.Counter(handed)
        if then:
            then(clock)
        return {
            "messages": len(queued),
            "dialogs": phone.dialogs,
            "busiest_minute_parts": busiest,
            "minutes": round((by_time[-1] - by_time[0]).total_seconds() / 60, 1) if by_time else 0,
            "lost": len(set(queued) - {pair for i, pair in sent_ids.items() if i in sent_at}),
            "doubled": sum(n - 1 for n in counts.values() if n > 1),
            "urgent_longest_wait_s": max(waits, default=0),
        }


def test_without_a_budget_the_phone_stops_and_healthz_and_the_console_say_so(app, db, runner):
    seen = {}

    def look(clock):
        clock.shift(dt.timedelta(minutes=6))
        seen["health"] = app.test_client().get("/healthz").get_json()["gateway"]
        page = signed_in_client(app, "lan", "staff").get("/").get_data(as_text=True)
        seen["banner"] = "Điện thoại gửi tin nhắn đã ngừng gửi" in page

    figures = run(app, db, runner, reminders=40, parts_per_minute=1000, then=look)
    assert figures["dialogs"] == 1
    assert figures["lost"] == 40 - SMS_MAX_COUNT  # waiting for a tap nobody makes
    assert seen["health"]["stalled_messages"] == 40 - SMS_MAX_COUNT
    assert seen["banner"]


def test_the_budget_keeps_the_phone_under_androids_limit_and_answers_first(app, db, runner):
    figures = run(app, db, runner, reminders=40, urgent_every=10, long_every=4)
    assert figures["dialogs"] == 0
    assert figures["busiest_minute_parts"] <= 25 < SMS_MAX_COUNT
    assert (figures["lost"], figures["doubled"]) == (0, 0)
    assert figures["urgent_longest_wait_s"] <= 10


@pytest.mark.slow
def test_two_hundred_reminders_go_out_without_a_stall_a_loss_or_a_double(app, db, runner):
    figures = run(app, db, runner, reminders=200, urgent_every=20, long_every=5)
    print(f"\ngateway budget, 200 reminders (every 5th two parts) and 10 replies: {figures}")
    assert figures["dialogs"] == 0
    assert (figures["lost"], figures["doubled"]) == (0, 0)
    assert figures["busiest_minute_parts"] <= 25
    assert figures["urgent_longest_wait_s"] <= 10
