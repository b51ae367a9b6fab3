"""A long SMS through the Android gateway, part by part: counted once, delivered only whole.

The fake phone reports parts the way the app does (one sms:delivered or sms:failed per part,
sms:sent once with partsCount, no part numbers), posts some webhooks twice and, when told,
in any order.
"""

import datetime as dt
import hashlib
import hmac
import json
import random
import time

import pytest
import time_machine

from app import channels, communes, lifecycle
from app.delivery import gateway_budget, message_parts, messages, outbox, outbox_health
from app.ops import worker
from app.request_queue import service_requests
from app.request_queue.asked import Asked
from db import transaction
from tests.conftest import DAY_HOUR, send_due, signed_in_client
from tests.fakes.live_app import LiveApp
from tests.test_gateway_channel import connect_phone

RESIDENT = "+84912000111"
# 348 GSM-7 characters: three parts (153 each once split).
LONG = "Xa Phu Lam: " + "Lich kham tai nha cua ong ba da duoc doi. " * 8


@pytest.fixture
def clock():
    with time_machine.travel(DAY_HOUR, tick=False) as traveller:
        yield traveller


@pytest.fixture
def live(app):
    with LiveApp(app) as server:
        yield server


@pytest.fixture
def connect(app, runner, live, clock):
    phones = []

    def connected(**options):
        phones.append(connect_phone(app, runner, live, **options))
        return phones[-1]

    yield connected
    for phone in phones:
        phone.__exit__()


def send_long(db, body=LONG, request_id=None):
    """Queue BODY for the resident and hand it to the phone; return (outbox row, key)."""
    with transaction(db):
        queued = outbox.enqueue(db, RESIDENT, body, kind="answer", request_id=request_id)
    assert send_due(db) == 1
    row = outbox.get(db, queued["id"])
    return row, row["idempotency_key"]


def logged(db, row):
    return messages.get(db, row["message_id"])


def counts(db, row):
    parts = message_parts.of_message(db, row["message_id"])
    return {k: parts[k] for k in ("parts", "sent", "delivered", "failed")}


def reports_to_staff(db, row):
    """How often the outbox row was listed for staff after a provider's report."""
    return db["outbox_attempts"].count_where("outbox_id = ? AND action = 'report'", [row["id"]])


def post_all(phone, shuffle=None):
    while phone.deliver_webhooks(shuffle=shuffle):
        pass


@pytest.mark.parametrize("sent_each_part", [False, True], ids=["app-1.68", "sent-per-part"])
def test_a_three_part_message_whose_second_part_fails_is_partly_failed_and_goes_to_staff(
    db, connect, sent_each_part
):
    phone = connect(sent_each_part=sent_each_part)
    row, key = send_long(db)
    phone.process_outgoing(fail_parts={key: {2}})
    post_all(phone)
    failed = phone.delivered("sms:failed")
    assert [p["reason"] for p in failed] == ["Send result: " + phone_failure()]
    assert {p["partsCount"] for p in phone.delivered("sms:sent")} == {3}
    assert counts(db, row) == {"parts": 3, "sent": 2, "delivered": 2, "failed": 1}
    message = logged(db, row)
    assert message["status"] == "failed"
    assert message["error_message"] == "1 of 3 parts failed: Send result: " + phone_failure()
    # A person decides: the outbox row is listed for staff, and nothing was sent again.
    assert [r["id"] for r in outbox_health.failed(db)] == [row["id"]]
    assert outbox.get(db, row["id"])["last_error"] == message["error_message"]
    assert list(phone.messages) == [key]
    assert send_due(db) == 0


def phone_failure():
    from tests.fakes.gateway_phone import GENERIC_FAILURE

    return GENERIC_FAILURE


def test_a_long_message_is_delivered_only_once_every_part_is(db, connect):
    phone = connect(duplicate_every=0)
    row, _key = send_long(db)
    phone.process_outgoing()
    last = [item for item in phone.queue if item["body"]["event"] == "sms:delivered"][-1]
    phone.queue.remove(last)
    post_all(phone)
    assert counts(db, row)["delivered"] == 2
    assert logged(db, row)["status"] == "sent"
    phone.queue.append(last)
    post_all(phone)
    assert counts(db, row) == {"parts": 3, "sent": 3, "delivered": 3, "failed": 0}
    assert logged(db, row)["status"] == "delivered"


@pytest.mark.parametrize("seed", range(6))
def test_doubled_and_out_of_order_webhooks_count_each_part_once(db, connect, seed):
    # Every webhook is posted twice, in a shuffled order, and part 3's report is a failure.
    phone = connect(duplicate_every=1)
    row, key = send_long(db)
    phone.process_outgoing(undelivered={key: {3}})
    post_all(phone, shuffle=random.Random(seed))
    reports = [body["id"] for name, status, body in phone.posts if name.startswith("sms:")]
    assert len(reports) == 2 * len(set(reports))  # each one came twice
    assert counts(db, row) == {"parts": 3, "sent": 2, "delivered": 2, "failed": 1}
    message = logged(db, row)
    assert message["status"] == "failed"
    assert "Delivery result from SC" in message["error_message"]
    assert reports_to_staff(db, row) == 1


@pytest.mark.parametrize("seed", range(3))
def test_two_parts_reported_twice_do_not_make_a_three_part_message_delivered(db, connect, seed):
    phone = connect(duplicate_every=1)
    row, _key = send_long(db)
    phone.process_outgoing()
    last = [item for item in phone.queue if item["body"]["event"] == "sms:delivered"][-1]
    phone.queue.remove(last)  # part 3's report has not come yet
    post_all(phone, shuffle=random.Random(seed))
    assert len(phone.delivered("sms:delivered")) == 4  # two parts' reports, each twice
    assert counts(db, row)["delivered"] == 2
    assert logged(db, row)["status"] == "sent"


def test_a_webhook_retried_after_a_refusal_is_counted_once(app, db, connect, clock):
    phone = connect(duplicate_every=0)
    row, _key = send_long(db)
    phone.process_outgoing()
    first = phone.queue[0]
    url = first["url"]
    first["url"] = url.replace("/sms/gateway", "/sms/nowhere")  # refused once: 404
    post_all(phone)
    first["url"] = url
    clock.shift(dt.timedelta(seconds=6))
    post_all(phone)
    assert counts(db, row) == {"parts": 3, "sent": 3, "delivered": 3, "failed": 0}
    assert logged(db, row)["status"] == "delivered"


def test_the_state_check_proves_one_part_at_least_and_the_late_webhooks_complete_it(
    db, connect, clock
):
    phone = connect(duplicate_every=0)
    row, _key = send_long(db)
    phone.process_outgoing()  # delivered, but the webhooks wait (the phone lost its network)
    clock.shift(dt.timedelta(minutes=11))
    worker.run_pass(db)
    assert ("GET", f"/messages/{row['idempotency_key']}") in phone.api_calls
    # "Delivered" in the check means one part at least: not the whole message yet.
    assert counts(db, row)["delivered"] == 1
    assert logged(db, row)["status"] == "sent"
    post_all(phone)
    assert counts(db, row) == {"parts": 3, "sent": 3, "delivered": 3, "failed": 0}
    assert logged(db, row)["status"] == "delivered"
    clock.shift(dt.timedelta(minutes=11))
    worker.run_pass(db)
    assert counts(db, row)["delivered"] == 3


def test_the_state_check_of_a_message_with_a_failed_part_sends_it_to_staff_once(db, connect, clock):
    phone = connect(duplicate_every=0)
    row, key = send_long(db)
    phone.process_outgoing(fail_parts={key: {2}}, report=False)
    clock.shift(dt.timedelta(minutes=11))
    worker.run_pass(db)
    assert logged(db, row)["status"] == "failed"
    assert counts(db, row)["failed"] == 1
    assert [r["id"] for r in outbox_health.failed(db)] == [row["id"]]
    clock.shift(dt.timedelta(minutes=11))
    worker.run_pass(db)
    assert reports_to_staff(db, row) == 1
    assert list(phone.messages) == [key]


def test_the_phones_own_count_of_parts_is_what_its_budget_counts(db, connect):
    phone = connect(duplicate_every=0)
    row, key = send_long(db)
    assert gateway_budget.used(db, row["channel_id"])[0] == 3
    phone.process_outgoing()
    for item in phone.queue:
        if item["body"]["event"] == "sms:sent":
            item["body"]["payload"]["partsCount"] = 4  # Android split it in four
    post_all(phone)
    assert counts(db, row)["parts"] == 4
    assert gateway_budget.used(db, row["channel_id"])[0] == 4
    assert logged(db, row)["status"] == "sent"  # three delivery reports of four parts


def post_from_another_commune(db, client, event, payload):
    """Post EVENT about PAYLOAD, signed by a phone of another commune (Tân Hòa)."""
    with transaction(db):
        tanhoa = communes.create(db, "TANHOA", "Xã Tân Hòa")
        device = channels.add_gateway(db, tanhoa, "tanhoa-1")
    body = json.dumps(
        {"event": event, "id": "from-tanhoa-1", "deviceId": "tanhoa", "payload": payload}
    ).encode()
    stamp = str(int(time.time()))
    signature = hmac.new(device["secret"].encode(), body + stamp.encode(), hashlib.sha256)
    response = client.post(
        f"/sms/gateway/{device['id']}",
        data=body,
        headers={
            "Content-Type": "application/json",
            "X-Timestamp": stamp,
            "X-Signature": signature.hexdigest(),
        },
    )
    assert response.status_code == 200


def test_a_report_from_another_communes_phone_counts_nothing(db, connect, client):
    phone = connect(duplicate_every=0)
    row, key = send_long(db)
    payload = {"messageId": key, "phoneNumber": RESIDENT, "recipient": RESIDENT}
    post_from_another_commune(db, client, "sms:delivered", payload)
    assert message_parts.of_message(db, row["message_id"]) is None
    phone.process_outgoing()
    post_all(phone)
    assert counts(db, row)["delivered"] == 3


def test_a_cancel_from_another_communes_phone_changes_nothing(db, connect, client):
    phone = connect(duplicate_every=0)
    row, key = send_long(db)
    before = logged(db, row)["status"]
    payload = {"messageId": key, "phoneNumber": RESIDENT, "cancelledAt": "2027-03-01T10:00:00"}
    post_from_another_commune(db, client, "sms:cancelled", payload)
    assert logged(db, row)["status"] == before != "cancelled"
    assert outbox_health.failed(db) == []
    phone.process_outgoing()
    post_all(phone)
    assert counts(db, row)["delivered"] == 3


def test_the_request_and_messages_pages_show_a_partly_failed_message_with_its_parts(
    app, db, connect
):
    with transaction(db):
        request, _ = service_requests.open_request(
            db, Asked(phone=RESIDENT, kind=lifecycle.VISIT, channel="sms")
        )
    phone = connect(duplicate_every=0)
    _row, key = send_long(db, request_id=request["id"])
    phone.process_outgoing(fail_parts={key: {2}})
    post_all(phone)
    staff = signed_in_client(app, "lan", "staff")
    # Each page says it in the log (or thread) and in the failed sends a person decides on.
    pages = {"/messages": 2, f"/requests/{request['id']}": 2}
    for url, times in pages.items():
        text = staff.get(url).get_data(as_text=True)
        assert text.count("Gửi thiếu một phần") == times
        assert text.count("1/3 phần tin không gửi được, 2 phần đã đến máy") == times


def test_in_english_a_long_message_shows_how_its_parts_fared(app, db, connect):
    staff = signed_in_client(app, "lan", "staff")
    staff.post("/language", data={"lang": "en"})
    phone = connect(duplicate_every=0)
    _row, key = send_long(db)
    phone.process_outgoing(fail_parts={key: {2}})
    post_all(phone)
    text = staff.get("/messages").get_data(as_text=True)
    assert "Partly failed" in text and "1 of 3 parts failed, 2 delivered" in text
    # Another, on its way: two of its three parts arrived so far.
    send_long(db, LONG.replace("Lich", "Hen"))
    phone.process_outgoing()
    last = [item for item in phone.queue if item["body"]["event"] == "sms:delivered"][-1]
    phone.queue.remove(last)
    post_all(phone)
    text = staff.get("/messages").get_data(as_text=True)
    assert "2 of 3 parts delivered" in text and text.count("Partly failed") == 2
