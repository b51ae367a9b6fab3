"""The Android gateway channel end to end: a fake phone that behaves like the app, over HTTP.

The phone posts signed webhooks (with retries, duplicates and a clock 2 minutes slow) to
the app served on a loopback port; the worker answers through the real android-sms-gateway
client to the phone's API.
"""

import datetime as dt

import pytest
import time_machine
from flask import current_app

from app.delivery import gateway_watch, messages, outbox, outbox_health, transports
from app.ops import worker
from db import transaction
from tests.conftest import DAY_HOUR, send_due, signed_in_client
from tests.fakes.gateway_phone import FakeGatewayPhone
from tests.fakes.live_app import LiveApp
from tests.test_metrics import samples

SIGNING_KEY = "gateway-signing-key-for-tests"
RESIDENT = "+84912000111"
# The first commune's default gateway device: channel 1 (migration 0018).
DEFAULT_DEVICE = 1
DEFAULT_LABELS = frozenset({("commune", "PHULAM"), ("device", "default")})


@pytest.fixture
def clock():
    """A frozen day hour (10:00 local) that moves only when told."""
    with time_machine.travel(DAY_HOUR, tick=False) as traveller:
        yield traveller


@pytest.fixture
def live(app):
    with LiveApp(app) as server:
        yield server


def connect_phone(app, runner, live, **options):
    """A fake phone with the app's webhooks registered through `flask gateway register`."""
    phone = FakeGatewayPhone(SIGNING_KEY, **options).__enter__()
    app.config.update(
        SMS_TRANSPORT="gateway",
        SMS_GATEWAY_URL=phone.base_url,
        SMS_GATEWAY_USERNAME="sms",
        SMS_GATEWAY_PASSWORD="secret",
        SMS_GATEWAY_SIGNING_KEY=SIGNING_KEY,
        PUBLIC_BASE_URL=live.url,
    )
    result = runner.invoke(args=["gateway", "register", "--mode", phone.mode])
    assert result.exit_code == 0, result.output
    return phone


@pytest.fixture
def phone(app, runner, live, clock):
    fake = connect_phone(app, runner, live)
    yield fake
    fake.__exit__()


def settle(phone, db, rounds=8):
    """Let the phone and the worker talk until nothing is left to do."""
    for _ in range(rounds):
        posted = phone.deliver_webhooks()
        sent = worker.run_pass(db)["sent"]
        phone.process_outgoing()
        if not posted and not sent:
            return
    raise AssertionError("the phone and the worker did not settle")


def inbound(db):
    return list(db["messages"].rows_where("direction = 'in'", order_by="id"))


def test_register_sets_up_the_six_webhooks_once_however_often_it_runs(app, runner, phone, live):
    again = runner.invoke(args=["gateway", "register", "--mode", "local"])
    assert again.exit_code == 0, again.output
    assert sorted(hook["event"] for hook in phone.webhooks.values()) == [
        "sms:cancelled",
        "sms:delivered",
        "sms:failed",
        "sms:received",
        "sms:sent",
        "system:ping",
    ]
    assert {hook["url"] for hook in phone.webhooks.values()} == {live.url + "/sms/gateway"}


def test_register_in_cloud_mode_sets_up_the_hooks_on_the_server_s_own_list(
    app, runner, live, clock
):
    phone = connect_phone(app, runner, live, mode="cloud")
    phone.__exit__()
    assert ("POST", "/webhooks") in phone.api_calls
    assert len(phone.webhooks) == 6
    assert {hook["url"] for hook in phone.webhooks.values()} == {live.url + "/sms/gateway"}


def test_register_refuses_a_mode_that_does_not_match_the_address(app, runner, phone):
    result = runner.invoke(args=["gateway", "register", "--mode", "cloud"])
    assert result.exit_code != 0
    assert "is a local address" in result.output


def test_a_text_is_stored_once_and_answered_from_the_sim_it_came_in_on(db, phone):
    phone.receive(RESIDENT, "HEN Tan Phu", sim=2)
    settle(phone, db)
    (stored,) = inbound(db)
    assert (stored["phone"], stored["intent"]) == (RESIDENT, "visit")
    (reply,) = phone.messages.values()
    assert reply["phoneNumbers"] == [RESIDENT] and reply["simNumber"] == 2
    assert reply["text"].startswith("Xa Phu Lam: ")
    assert messages.replies_to(db, stored["id"])[0]["status"] == "delivered"


@pytest.mark.parametrize("style", ["before-1.54", "sender-only", "current"])
def test_every_app_version_s_payload_is_stored_and_answered(app, runner, live, clock, db, style):
    phone = connect_phone(app, runner, live, payload_style=style)
    try:
        phone.receive(RESIDENT, "XEM")
        settle(phone, db)
    finally:
        phone.__exit__()
    (stored,) = inbound(db)
    assert stored["phone"] == RESIDENT and stored["intent"] == "status"
    assert [m["phoneNumbers"] for m in phone.messages.values()] == [[RESIDENT]]


def test_duplicates_and_retries_store_nothing_twice(db, phone, clock):
    for n in range(6):
        phone.receive(RESIDENT, f"HOI cau hoi so {n}")
    phone.deliver_webhooks()
    assert phone.posts[3][2] == phone.posts[4][2]  # the 4th webhook was posted twice
    settle(phone, db)
    assert [m["body"] for m in inbound(db)] == [f"HOI cau hoi so {n}" for n in range(6)]
    assert len(phone.messages) == 6


def test_a_signed_webhook_the_app_refuses_is_retried_with_backoff(app, db, phone, clock):
    app.config["SMS_GATEWAY_SIGNING_KEY"] = "rotated-on-the-server-only"
    phone.receive(RESIDENT, "XEM")
    phone.deliver_webhooks()
    assert phone.posts[-1][1] == 403 and inbound(db) == []
    app.config["SMS_GATEWAY_SIGNING_KEY"] = SIGNING_KEY
    assert phone.deliver_webhooks() == 0  # the retry waits 5 s
    clock.shift(5)
    settle(phone, db)
    assert len(inbound(db)) == 1


def test_pings_and_every_signed_webhook_keep_last_seen_and_healthz_up_to_date(
    client, db, phone, clock
):
    phone.ping()
    phone.deliver_webhooks()
    assert gateway_watch.last_seen(db, DEFAULT_DEVICE) == dt.datetime.now(dt.UTC)
    health = client.get("/healthz").get_json()["gateway"]
    assert health["last_seen"] == "2027-03-01T03:00:00Z" and health["silent"] is False
    assert health["app_version"] == "1.68.0"
    clock.shift(dt.timedelta(minutes=31))
    health = client.get("/healthz").get_json()["gateway"]
    assert (health["silent_minutes"], health["silent"]) == (31, True)


def test_metrics_show_when_the_phone_was_last_heard_from_and_for_how_long_it_is_silent(
    client, db, phone, clock
):
    phone.ping()
    phone.deliver_webhooks()
    heard = dt.datetime.now(dt.UTC).timestamp()
    page = samples(client.get("/metrics").get_data(as_text=True))
    assert page[("hamlet_gateway_last_seen_timestamp_seconds", DEFAULT_LABELS)] == heard
    assert page[("hamlet_gateway_silent_seconds", DEFAULT_LABELS)] == 0
    clock.shift(dt.timedelta(minutes=31))
    page = samples(client.get("/metrics").get_data(as_text=True))
    assert page[("hamlet_gateway_last_seen_timestamp_seconds", DEFAULT_LABELS)] == heard
    assert page[("hamlet_gateway_silent_seconds", DEFAULT_LABELS)] == 31 * 60


def test_healthz_has_no_gateway_part_without_a_gateway(client):
    assert "gateway" not in client.get("/healthz").get_json()


def test_staff_see_a_red_banner_when_the_phone_is_silent_longer_than_the_setting(
    app, db, phone, clock
):
    clock.move_to(DAY_HOUR.replace(hour=9, minute=40))
    phone.ping()
    phone.deliver_webhooks()
    staff = signed_in_client(app, "lan", "staff")
    clock.move_to(DAY_HOUR.replace(hour=10, minute=9))
    assert "im lặng" not in staff.get("/").get_data(as_text=True)
    clock.move_to(DAY_HOUR.replace(hour=10, minute=11))
    page = staff.get("/").get_data(as_text=True)
    assert "Điện thoại nhận tin nhắn im lặng từ 09:40" in page
    with transaction(db):
        db["settings"].upsert(
            {"commune_id": 1, "key": "gateway_silence_minutes", "value": "45"},
            pk=("commune_id", "key"),
        )
    assert "im lặng" not in staff.get("/").get_data(as_text=True)
    clock.move_to(DAY_HOUR.replace(hour=21))  # quiet hours: nobody is told at night
    assert "im lặng" not in staff.get("/").get_data(as_text=True)


def test_a_message_the_phone_never_reports_on_is_checked_after_10_minutes(db, phone, clock):
    with transaction(db):
        queued = outbox.enqueue(db, RESIDENT, "Xa Phu Lam: hello", kind="answer")
    assert send_due(db) == 1
    phone.process_outgoing(report=False)
    message = messages.get(db, outbox.get(db, queued["id"])["message_id"])
    assert message["status"] == "queued"
    clock.shift(dt.timedelta(minutes=9))
    worker.run_pass(db)
    assert messages.get(db, message["id"])["status"] == "queued"
    clock.shift(dt.timedelta(minutes=2))
    worker.run_pass(db)
    assert messages.get(db, message["id"])["status"] == "delivered"
    assert ("GET", f"/messages/{queued['idempotency_key']}") in phone.api_calls


def test_a_message_the_phone_cancels_or_fails_goes_to_staff_and_a_retry_sends_it_anew(
    app, db, phone, clock
):
    with transaction(db):
        cancelled = outbox.enqueue(db, RESIDENT, "Xa Phu Lam: mot", kind="answer")
        failing = outbox.enqueue(db, "+84912000222", "Xa Phu Lam: hai", kind="answer")
    assert send_due(db) == 2
    key = outbox.get(db, cancelled["id"])["idempotency_key"]
    phone._message("DELETE", key)  # cancelled in the app, before it went out
    phone.process_outgoing(fail={outbox.get(db, failing["id"])["idempotency_key"]})
    phone.deliver_webhooks()
    assert {row["id"] for row in outbox_health.failed(db)} == {cancelled["id"], failing["id"]}
    assert messages.get(db, outbox.get(db, cancelled["id"])["message_id"])["status"] == "cancelled"
    staff = signed_in_client(app, "lan", "staff")
    staff.post(f"/messages/outbox/{cancelled['id']}/retry")
    settle(phone, db)
    again = outbox.get(db, cancelled["id"])
    assert again["status"] == "sent" and again["idempotency_key"] != key
    assert phone.messages[again["idempotency_key"]]["state"] == "Delivered"


def test_a_cloud_device_problem_is_retried_and_shown_to_staff_not_dropped(
    app, runner, live, clock, db
):
    phone = connect_phone(app, runner, live, mode="cloud")
    try:
        phone.device_problem = "more than one record"
        with transaction(db):
            queued = outbox.enqueue(db, RESIDENT, "Xa Phu Lam: hello", kind="answer")
        for _ in range(6):
            send_due(db)
            clock.shift(dt.timedelta(minutes=5))
        row = outbox.get(db, queued["id"])
        assert (row["status"], row["attempts"]) == ("pending", 0)
        staff = signed_in_client(app, "lan", "staff")
        staff.post("/language", data={"lang": "en"})
        page = staff.get("/").get_data(as_text=True)
        assert "SMS cannot leave through the phone" in page and "more than one record" in page
        assert app.test_client().get("/healthz").get_json()["gateway"]["setup_error"]
        phone.device_problem = None
        send_due(db)
        assert outbox.get(db, queued["id"])["status"] == "sent"
        assert "SMS cannot leave" not in staff.get("/").get_data(as_text=True)
    finally:
        phone.__exit__()


def test_a_message_the_gateway_refuses_as_bad_fails_at_once(db, phone):
    with transaction(db):
        queued = outbox.enqueue(db, RESIDENT, "Xa Phu Lam: hello", kind="answer")
    phone.fail_sends_next(1, status=400)
    send_due(db)
    assert outbox.get(db, queued["id"])["status"] == "failed"


def test_a_gateway_outage_is_retried_and_the_resend_is_not_delivered_twice(db, phone, clock):
    with transaction(db):
        queued = outbox.enqueue(db, RESIDENT, "Xa Phu Lam: hello", kind="answer")
    phone.fail_sends_next(1, status=503)
    assert send_due(db) == 0
    clock.shift(dt.timedelta(minutes=1))
    assert send_due(db) == 1
    assert list(phone.messages) == [outbox.get(db, queued["id"])["idempotency_key"]]
    message = transports.Outgoing(phone=RESIDENT, body="x", key="k" * 32)
    transport = transports.from_config(current_app.config)
    assert transport.send(message).provider_id == transport.send(message).provider_id
    assert len(phone.messages) == 2


@pytest.mark.parametrize(
    ("mode", "redelivery"), [("local", "/messages/inbox/export"), ("cloud", "/inbox/refresh")]
)
def test_after_a_silence_the_phone_re_delivers_its_inbox_and_nothing_is_doubled(
    app, runner, live, clock, db, mode, redelivery
):
    phone = connect_phone(app, runner, live, mode=mode)
    try:
        phone.receive(RESIDENT, "HEN Tan Phu")
        settle(phone, db)
        phone.sleep()
        clock.shift(dt.timedelta(minutes=3))
        missed = phone.receive("+84912000333", "XEM")
        clock.shift(dt.timedelta(minutes=12))
        phone.wake()
        settle(phone, db)
    finally:
        phone.__exit__()
    state = gateway_watch.state(db, DEFAULT_DEVICE)
    assert state["recovery_note"] == "asked" and state["gap_from"] is None
    assert ("POST", redelivery) in phone.api_calls
    assert sorted(m["phone"] for m in inbound(db)) == sorted([RESIDENT, missed["sender"]])
    assert len(phone.messages) == 2  # one reply each, none doubled by the re-delivery
    assert len(phone.messages) == 2
