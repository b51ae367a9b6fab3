"""Gateway phones per commune: each commune's SMS leave through its own phones, each phone
keeps its own sending budget, and a silent phone's waiting messages move to a live one only
after it confirmed they were cancelled.

Every phone is a fake Android phone (tests/fakes/gateway_phone.py) called through the real
android-sms-gateway client; its webhooks reach the app served on a loopback port.
"""

import collections
import datetime as dt

import pytest
import time_machine
from flask import current_app

from app import channels, communes
from app.delivery import gateway_jobs, gateway_pool, messages, outbox
from db import transaction
from tests.conftest import DAY_HOUR, send_due
from tests.fakes.gateway_phone import FakeGatewayPhone
from tests.fakes.live_app import LiveApp

FIRST_KEY = "first-commune-signing-key"
RESIDENT = "+84912000111"


@pytest.fixture
def clock():
    with time_machine.travel(DAY_HOUR, tick=False) as traveller:
        yield traveller


@pytest.fixture
def live(app, clock):
    with LiveApp(app) as server:
        app.config.update(PUBLIC_BASE_URL=server.url)
        yield server


@pytest.fixture
def first_phone(app, runner, live):
    """The first commune's phone, set up from the environment as a one-commune install is."""
    with FakeGatewayPhone(FIRST_KEY, duplicate_every=0) as phone:
        app.config.update(
            SMS_TRANSPORT="gateway",
            SMS_GATEWAY_URL=phone.base_url,
            SMS_GATEWAY_USERNAME="sms",
            SMS_GATEWAY_PASSWORD="secret",
            SMS_GATEWAY_SIGNING_KEY=FIRST_KEY,
        )
        assert runner.invoke(args=["gateway", "register", "--mode", "local"]).exit_code == 0
        yield phone


@pytest.fixture
def tanhoa(db):
    with transaction(db):
        return communes.create(db, "TANHOA", "Xã Tân Hòa")


@pytest.fixture
def add_phone(app, runner, db, tanhoa, live):
    """Add a phone to TANHOA with its own API account (`flask channel account`)."""
    app.config["SMS_TRANSPORT"] = "gateway"
    made = []

    def add(name, *, password="pw-" + "x" * 12, mode="local"):
        with transaction(db):
            device = channels.add_gateway(db, tanhoa, name)
        phone = FakeGatewayPhone(
            device["secret"], password=password, mode=mode, duplicate_every=0
        ).__enter__()
        made.append(phone)
        result = runner.invoke(
            args=[
                "channel",
                "account",
                str(device["id"]),
                "--api-url",
                phone.base_url,
                "--api-username",
                "sms",
                "--api-password",
                password,
            ]
        )
        assert result.exit_code == 0, result.output
        register = ["gateway", "register", "--mode", mode, "--commune", "TANHOA"]
        result = runner.invoke(args=[*register, "--device", name])
        assert result.exit_code == 0, result.output
        return phone

    yield add
    for phone in made:
        phone.__exit__()


def queue(db, commune, body, *, phone=RESIDENT, kind="answer", key=None):
    with transaction(db), communes.bound(commune):
        return outbox.enqueue(db, phone, body, kind=kind, dedupe_key=key)


def texts(phone):
    return [(m["phoneNumbers"][0], m["text"]) for m in phone.messages.values()]


def settle(db, *phones):
    """Send what is due, let each phone send and report, and take its reports."""
    for _ in range(3):
        send_due(db)
        for phone in phones:
            phone.process_outgoing()
            phone.deliver_webhooks()


def test_each_communes_sms_leave_through_its_own_phone(app, db, runner, first_phone, add_phone):
    password = "tanhoa-api-password"
    second_phone = add_phone("tanhoa-1", password=password)
    tanhoa = communes.by_code(db, "TANHOA")
    one = queue(db, communes.first_commune(db), "Xa Phu Lam: mot")
    two = queue(db, tanhoa, "Xa Tan Hoa: hai")
    settle(db, first_phone, second_phone)
    assert texts(first_phone) == [(RESIDENT, "Xa Phu Lam: mot")]
    assert texts(second_phone) == [(RESIDENT, "Xa Tan Hoa: hai")]
    for row, commune_id in ((one, 1), (two, tanhoa.id)):
        message = messages.get(db, outbox.get(db, row["id"])["message_id"])
        # The delivery report came back through the device's own signed webhook.
        assert (message["commune_id"], message["status"]) == (commune_id, "delivered")
    listing = runner.invoke(args=["channel", "list"]).output
    assert second_phone.base_url in listing and "as sms" in listing
    device = channels.every(db, tanhoa, kind="gateway")[0]
    assert password not in listing and device["secret"] not in listing


def test_a_phone_without_its_own_account_never_sends_through_another_communes(
    db, first_phone, tanhoa
):
    with transaction(db):
        channels.add_gateway(db, tanhoa, "tanhoa-receive-only")
    row = queue(db, tanhoa, "Xa Tan Hoa: hai")
    assert send_due(db) == 0
    assert first_phone.messages == {}
    stored = outbox.get(db, row["id"])
    assert (stored["status"], stored["last_error"]) == (
        "cancelled",
        "the commune has no gateway channel to send from",
    )


def test_each_phone_counts_its_own_budget_and_a_pool_shares_a_burst(db, first_phone, add_phone):
    b, c = add_phone("tanhoa-1"), add_phone("tanhoa-2")
    tanhoa = communes.by_code(db, "TANHOA")
    first = communes.first_commune(db)
    for n in range(40):
        queue(db, first, f"Xa Phu Lam: nhac lich {n}", kind="reminder", key=f"a{n}")
        queue(db, tanhoa, f"Xa Tan Hoa: nhac lich {n}", kind="reminder", key=f"b{n}")
    for _ in range(3):
        send_due(db)
    # Reminders get 20 of a phone's 25 parts a minute: the first commune's phone is not
    # charged for the second commune's, and the second commune's two phones share its burst.
    assert (len(first_phone.messages), len(b.messages), len(c.messages)) == (20, 20, 20)
    for phone in (first_phone, b, c):
        phone.process_outgoing()
        assert phone.dialogs == 0


def test_a_silent_phones_waiting_message_moves_after_it_confirms_the_cancel(
    app, db, clock, add_phone
):
    b, c = add_phone("tanhoa-1", mode="cloud"), add_phone("tanhoa-2")
    tanhoa = communes.by_code(db, "TANHOA")
    b.sleep()  # Doze: the server keeps what it was given, Pending
    held = queue(db, tanhoa, "Xa Tan Hoa: mot")
    other = queue(db, tanhoa, "Xa Tan Hoa: hai", phone="+84912000222")
    settle(db, b, c)
    assert texts(b) == [(RESIDENT, "Xa Tan Hoa: mot")] and len(c.messages) == 1
    clock.shift(dt.timedelta(minutes=4))
    assert gateway_pool.move_stalled(db, current_app.config) == 0  # not silent long enough
    clock.shift(dt.timedelta(minutes=2))
    assert gateway_jobs.run(db, current_app.config)["moved"] == 1
    first_key = list(b.messages)[0]
    assert b.messages[first_key]["state"] == "Cancelled"
    assert ("DELETE", f"/messages/{first_key}") in b.api_calls
    settle(db, b, c)
    b.wake()
    settle(db, b, c)
    row = outbox.get(db, held["id"])
    [second] = [d for d in channels.every(db, tanhoa) if d["address"] == "tanhoa-2"]
    assert (row["status"], row["channel_id"]) == ("sent", second["id"])
    assert messages.get(db, row["message_id"])["status"] == "delivered"
    delivered = [
        (m["phoneNumbers"][0], m["text"])
        for phone in (b, c)
        for m in phone.messages.values()
        if m["state"] == "Delivered"
    ]
    assert collections.Counter(delivered) == {
        (RESIDENT, "Xa Tan Hoa: mot"): 1,
        ("+84912000222", "Xa Tan Hoa: hai"): 1,
    }
    assert outbox.get(db, other["id"])["status"] == "sent"


def test_a_phone_that_cannot_be_asked_keeps_its_messages_and_new_ones_go_elsewhere(
    db, clock, add_phone
):
    b, c = add_phone("tanhoa-1"), add_phone("tanhoa-2")
    tanhoa = communes.by_code(db, "TANHOA")
    held = queue(db, tanhoa, "Xa Tan Hoa: mot")
    assert send_due(db) == 1 and len(b.messages) == 1
    b.power_off()  # the local API is gone: whether it sent cannot be known
    clock.shift(dt.timedelta(minutes=6))
    assert gateway_pool.move_stalled(db, current_app.config) == 0
    assert outbox.get(db, held["id"])["status"] == "sent"
    later = queue(db, tanhoa, "Xa Tan Hoa: hai")
    assert send_due(db) == 1
    assert texts(c) == [(RESIDENT, "Xa Tan Hoa: hai")]
    assert outbox.get(db, later["id"])["channel_id"] != outbox.get(db, held["id"])["channel_id"]


def test_a_send_a_phone_refused_is_retried_on_the_next_phone_once(db, clock, add_phone):
    b, c = add_phone("tanhoa-1"), add_phone("tanhoa-2")
    tanhoa = communes.by_code(db, "TANHOA")
    b.fail_sends_next(1, status=503)
    row = queue(db, tanhoa, "Xa Tan Hoa: mot")
    assert send_due(db) == 0
    clock.shift(dt.timedelta(minutes=1))
    assert send_due(db) == 1
    # The first phone was asked (it had no such message) before the second one sent it.
    assert ("GET", f"/messages/{row['idempotency_key']}") in b.api_calls
    assert (texts(b), texts(c)) == ([], [(RESIDENT, "Xa Tan Hoa: mot")])
