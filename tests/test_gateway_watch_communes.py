"""The gateway watch covers every commune's phones, each by its own commune's settings.

Two communes, each with its own fake Android phone (tests/fakes/gateway_phone.py) called
through the real android-sms-gateway client, each posting signed webhooks to the app served
on a loopback port. A silence of commune B's phone raises B's alarm and re-delivers B's
inbox through B's own API account; commune A's phone, alarm and state are untouched.
"""

import datetime as dt

import pytest
import time_machine

from app import channels, communes
from app.accounts import users
from app.catalogue import commune_settings
from app.delivery import gateway_jobs, gateway_watch
from db import transaction
from tests.conftest import DAY_HOUR, STAFF_PASSWORD
from tests.fakes.gateway_phone import FakeGatewayPhone
from tests.fakes.live_app import LiveApp
from tests.test_metrics import samples

A_KEY = "commune-a-signing-key"
B_PASSWORD = "commune-b-api-password"
SILENT = "im lặng"


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
def phone_a(app, runner, live):
    """Commune A (the first) and its phone, set up from the environment."""
    with FakeGatewayPhone(A_KEY, duplicate_every=0) as phone:
        app.config.update(
            SMS_TRANSPORT="gateway",
            SMS_GATEWAY_URL=phone.base_url,
            SMS_GATEWAY_USERNAME="sms",
            SMS_GATEWAY_PASSWORD="secret",
            SMS_GATEWAY_SIGNING_KEY=A_KEY,
        )
        assert runner.invoke(args=["gateway", "register", "--mode", "local"]).exit_code == 0
        yield phone


@pytest.fixture
def phone_b(app, runner, store, live):
    """Commune B (TANHOA) and its own phone, with its own API account and webhook URL."""
    with transaction(store):
        tanhoa = communes.create(store, "TANHOA", "Xã Tân Hòa")
        device = channels.add_gateway(store, tanhoa, "tanhoa-1")
    with FakeGatewayPhone(
        device["secret"], password=B_PASSWORD, duplicate_every=0, device_id="tanhoaDevice0001"
    ) as phone:
        account = ["--api-url", phone.base_url, "--api-username", "sms"]
        result = runner.invoke(
            args=["channel", "account", str(device["id"]), *account, "--api-password", B_PASSWORD]
        )
        assert result.exit_code == 0, result.output
        register = ["gateway", "register", "--mode", "local", "--commune", "TANHOA"]
        result = runner.invoke(args=[*register, "--device", "tanhoa-1"])
        assert result.exit_code == 0, result.output
        yield phone


def staff_of(app, store, code):
    """A client signed in as an officer of commune CODE only."""
    commune = communes.by_code(store, code)
    username = f"officer-{code.lower()}"
    app.config["WTF_CSRF_ENABLED"] = False
    with transaction(store):
        users.create_user(store, username, STAFF_PASSWORD, role="staff", commune=commune)
    client = app.test_client()
    response = client.post("/login", data={"username": username, "password": STAFF_PASSWORD})
    assert response.status_code == 302, response.data
    return client


def heard(*phones):
    for phone in phones:
        phone.ping()
        phone.deliver_webhooks()


def test_a_silence_in_commune_b_raises_bs_alarm_and_re_delivers_bs_inbox_only(
    app, client, store, clock, phone_a, phone_b
):
    b = communes.by_code(store, "TANHOA")
    device_a = channels.default_gateway(store)[1]
    device_b = channels.every(store, b, kind="gateway")[0]
    with transaction(store), communes.bound(b):
        # B's own setting: 20 minutes (A keeps the default 30).
        commune_settings.save(store, {"gateway_silence_minutes": "20"})
    officer_a, officer_b = staff_of(app, store, "PHULAM"), staff_of(app, store, "TANHOA")
    heard(phone_a, phone_b)
    phone_b.sleep()  # 10:00: B's phone dozes; a resident of B texts into its inbox
    clock.shift(dt.timedelta(minutes=3))
    missed = phone_b.receive("+84912000333", "XEM")
    for minutes in (5, 5, 5, 5):  # A's phone pings every 5 minutes, to 10:23
        clock.shift(dt.timedelta(minutes=minutes))
        heard(phone_a)
        if clock_now_minute() == 18:
            assert SILENT not in page(officer_b)  # 18 minutes: within B's 20

    # 10:23: B's officers see B's phone silent (past B's 20 minutes); A's see nothing.
    assert "Điện thoại nhận tin nhắn im lặng từ 10:00" in page(officer_b)
    assert SILENT not in page(officer_a)
    health = client.get("/healthz").get_json()
    by_device = {part["channel_id"]: part for part in health["gateway_devices"]}
    part_a, part_b = by_device[device_a["id"]], by_device[device_b["id"]]
    assert (part_b["commune"], part_b["silent_minutes"], part_b["silent"]) == ("TANHOA", 23, True)
    assert (part_a["commune"], part_a["silent_minutes"], part_a["silent"]) == ("PHULAM", 0, False)
    assert health["gateway"]["channel_id"] == device_a["id"] and not health["gateway"]["silent"]
    gauges = samples(client.get("/metrics").get_data(as_text=True))
    silent = "hamlet_gateway_silent_seconds"
    assert gauges[(silent, frozenset({("commune", "TANHOA"), ("device", "tanhoa-1")}))] == 23 * 60
    assert gauges[(silent, frozenset({("commune", "PHULAM"), ("device", "default")}))] == 0

    # B's phone wakes: the worker asks it, through B's own account, for its silent inbox.
    phone_b.wake()
    phone_b.deliver_webhooks()
    assert gateway_watch.recovery_window(store, device_b["id"]) is not None
    with app.app_context():
        assert gateway_jobs.run(store, app.config)["recovered"] == 1
    assert ("POST", "/messages/inbox/export") in phone_b.api_calls
    phone_b.deliver_webhooks()
    stored = store.execute(
        "SELECT commune_id FROM messages WHERE direction = 'in' AND phone = :phone",
        {"phone": missed["sender"]},
    ).fetchall()
    assert stored == [(b.id,)]
    assert gateway_watch.state(store, device_b["id"])["recovery_note"] == "asked"
    assert SILENT not in page(officer_b)

    # A is untouched: never asked, no window, no note, no alarm.
    assert not [call for call in phone_a.api_calls if "inbox" in call[1]]
    state_a = gateway_watch.state(store, device_a["id"])
    assert (state_a["gap_from"], state_a["recovery_note"]) == (None, None)
    assert gateway_watch.alarm(store, device_a) is None


def clock_now_minute():
    """The minute of the (frozen) local hour."""
    return dt.datetime.now(DAY_HOUR.tzinfo).minute


def page(client):
    return client.get("/").get_data(as_text=True)


def test_a_reply_s_sim_is_chosen_from_its_own_commune_s_messages_only(db):
    # The same person last texted commune 2's phone on its SIM 2, and commune 1's on SIM 1.
    resident = "+84912000333"
    with transaction(db):
        db["gateway_inbound"].insert_all(
            [
                {
                    "dedupe_key": "a",
                    "phone": resident,
                    "sim_number": 1,
                    "received_at": "2026-12-01T01:00:00Z",
                    "commune_id": 1,
                },
                {
                    "dedupe_key": "b",
                    "phone": resident,
                    "sim_number": 2,
                    "received_at": "2026-12-01T02:00:00Z",
                    "commune_id": 2,
                },
            ]
        )
    assert gateway_watch.sim_for(db, 1, resident) == 1
    assert gateway_watch.sim_for(db, 2, resident) == 2
    assert gateway_watch.sim_for(db, 3, resident) is None
