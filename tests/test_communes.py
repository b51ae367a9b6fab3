"""Two communes on one server: each reached by its own number, neither seeing the other's."""

import hashlib
import hmac
import json
import logging
import time
import xml.etree.ElementTree as ET

import pytest
import time_machine

from app import channels, communes
from app.seed.demo_commune import DEMO_CODE, DEMO_TWILIO_NUMBER, ensure_demo_commune
from app.seed.loader import seed
from tests.conftest import DAY_HOUR, answer_all, answered_replies, assert_empty_twiml

FIRST_NUMBER = "+84000000000"  # TWILIO_FROM_NUMBER of the test app (the embedded default)
PHONE = "+84912000111"


@pytest.fixture(autouse=True)
def day_hour():
    """A Monday at 10:00 local: trips ahead in both communes."""
    with time_machine.travel(DAY_HOUR, tick=False):
        yield


@pytest.fixture
def second(db):
    """The demo's second commune, seeded, with its own Twilio number."""
    with db.conn:
        commune = ensure_demo_commune(db)
    seed(db, commune=commune)
    return commune


@pytest.fixture
def text(app, twilio_post):
    """Text BODY from PHONE to the number TO; return (status, reply texts).

    Stored messages are answered in process as the worker does; the texts are the outbox's.
    """
    sids = iter(range(1, 1000))

    def send(body, to, phone=PHONE):
        sid = f"SM{next(sids):032x}"
        response = twilio_post(
            "/sms/twilio", {"MessageSid": sid, "From": phone, "To": to, "Body": body}
        )
        if response.status_code != 200:
            return response.status_code, []
        assert_empty_twiml(response)
        return 200, answered_replies(app, f"twilio:{sid}")

    return send


def _counts(db):
    tables = ("residents", "requests", "messages", "outbox", "dialogue_state", "calls")
    return {table: db[table].count for table in tables}


def test_a_text_to_a_number_no_commune_owns_is_404_creates_nothing_and_logs_one_line(
    db, text, second, caplog
):
    before = _counts(db)
    with caplog.at_level(logging.WARNING, logger="sms.routes"):
        status, replies = text("HEN", "+842773999999")
    assert (status, replies) == (404, [])
    assert _counts(db) == before
    assert [r.getMessage() for r in caplog.records if r.name == "sms.routes"] == [
        "SMS to ***999: no commune owns this number"
    ]


def test_each_number_reaches_its_own_commune_and_one_phone_is_two_residents(db, text, second):
    _status, [first_reply] = text("HEN Tan Phu", FIRST_NUMBER)
    _status, [second_reply] = text("HEN Phu Hiep", DEMO_TWILIO_NUMBER)
    assert first_reply.startswith("Xa Phu Lam: ")
    assert second_reply.startswith("Xa Phu Thanh: ")
    residents = {
        (row["commune_id"], row["phone"])
        for row in db["residents"].rows_where("phone = ?", [PHONE])
    }
    assert residents == {(1, PHONE), (second.id, PHONE)}
    hamlets = {
        row["commune_id"]: row["hamlet_id"]
        for row in db["requests"].rows_where(
            "resident_id IN (SELECT id FROM residents WHERE phone = ?)", [PHONE]
        )
    }
    names = {cid: db["hamlets"].get(hid)["name"] for cid, hid in hamlets.items()}
    assert names == {1: "Tân Phú", second.id: "Phú Hiệp"}


def test_the_national_form_of_a_phone_is_the_same_resident(db, text, second):
    text("HEN Phu Hiep", DEMO_TWILIO_NUMBER, phone="+84918000222")
    text("XEM", DEMO_TWILIO_NUMBER, phone="0918000222")
    assert db["residents"].count_where("commune_id = ?", [second.id]) == 1


def test_huy_with_another_communes_reference_gets_the_unknown_code_answer(db, text, second):
    text("HEN Tan Phu", FIRST_NUMBER)
    [request] = db["requests"].rows_where("commune_id = 1")
    status, [reply] = text(f"HUY {request['ref']}", DEMO_TWILIO_NUMBER)
    assert status == 200
    assert reply == f"Xa Phu Thanh: Khong thay yeu cau ma {request['ref']} cua ong ba. " + (
        "Soan XEM gui so nay de xem cac yeu cau."
    )
    assert db["requests"].get(request["id"])["status"] == request["status"]


def test_xem_lists_only_the_senders_commune(db, text, second):
    text("HEN Tan Phu", FIRST_NUMBER)
    [first_request] = db["requests"].rows_where("commune_id = 1")
    _status, [reply] = text("XEM", DEMO_TWILIO_NUMBER)
    assert first_request["ref"] not in reply
    assert reply.startswith("Xa Phu Thanh: ")


def test_a_reference_code_is_unique_and_found_within_its_commune_only(db, text, second):
    from app.request_queue import service_requests as queue

    text("HEN Tan Phu", FIRST_NUMBER)
    text("HEN Phu Hiep", DEMO_TWILIO_NUMBER)
    [first] = db["requests"].rows_where("commune_id = 1")
    [other] = db["requests"].rows_where("commune_id = ?", [second.id])
    with db.conn:  # the same five digits may serve in two communes
        db.execute("UPDATE requests SET ref = ? WHERE id = ?", [first["ref"], other["id"]])
    with communes.bound(second):
        assert queue.by_ref(db, first["ref"])["id"] == other["id"]
    with communes.bound(communes.first_commune(db)):
        assert queue.by_ref(db, first["ref"])["id"] == first["id"]


def _gateway_post(client, path, key, text_body="HEN Phu Hiep", message_id="m1"):
    body = json.dumps(
        {
            "event": "sms:received",
            "id": f"evt-{message_id}",
            "payload": {
                "messageId": message_id,
                "message": text_body,
                "sender": PHONE,
                "receivedAt": "2027-03-01T10:00:00+07:00",
            },
        }
    ).encode()
    stamp = str(int(time.time()))
    signature = hmac.new(key.encode(), body + stamp.encode(), hashlib.sha256).hexdigest()
    return client.post(
        path,
        data=body,
        headers={
            "Content-Type": "application/json",
            "X-Timestamp": stamp,
            "X-Signature": signature,
        },
    )


def test_a_gateway_device_posts_to_its_own_url_with_its_own_key(app, client, db, second):
    app.config["SMS_GATEWAY_SIGNING_KEY"] = "first-commune-key"
    with db.conn:
        device = channels.add_gateway(db, second, "phuthanh-sim")
    path = f"/sms/gateway/{device['id']}"
    # The first commune's key does not open another device's door.
    assert _gateway_post(client, path, "first-commune-key").status_code == 403
    assert _gateway_post(client, "/sms/gateway/999", device["secret"]).status_code == 404
    response = _gateway_post(client, path, device["secret"])
    assert response.status_code == 200, response.data
    answer_all(app)
    [inbound] = db["messages"].rows_where("direction = 'in'")
    assert inbound["commune_id"] == second.id
    [reply] = db["outbox"].rows
    assert (reply["commune_id"], reply["body"][:14]) == (second.id, "Xa Phu Thanh: ")


def test_the_default_gateway_url_stays_the_first_communes(app, client, db, second):
    app.config["SMS_GATEWAY_SIGNING_KEY"] = "first-commune-key"
    assert _gateway_post(client, "/sms/gateway", "first-commune-key").status_code == 200
    [inbound] = db["messages"].rows_where("direction = 'in'")
    assert inbound["commune_id"] == 1


def _call(twilio_post, called, path="/voice/incoming"):
    return twilio_post(
        path,
        {"CallSid": "CA" + "1" * 32, "From": PHONE, "To": called, "Called": called},
    )


def test_a_call_to_an_unknown_number_is_404_and_creates_nothing(db, twilio_post, second):
    before = _counts(db)
    assert _call(twilio_post, "+842773999999").status_code == 404
    assert _counts(db) == before


def test_a_call_greets_with_the_called_communes_name(db, twilio_post, second):
    response = _call(twilio_post, DEMO_TWILIO_NUMBER)
    assert response.status_code == 200
    spoken = " ".join("".join(say.itertext()) for say in ET.fromstring(response.data).iter("Say"))
    assert "Phú Thạnh" in spoken and "Phú Lâm" not in spoken
    [call] = db["calls"].rows
    assert call["commune_id"] == second.id


def test_the_cli_creates_a_commune_and_routes_a_number_and_a_device(app, runner, db):
    result = runner.invoke(
        args=["commune", "create", "tanhoa", "--name", "Xã Tân Hòa", "--timezone", "Asia/Bangkok"]
    )
    assert result.exit_code == 0, result.output
    listed = runner.invoke(args=["commune", "list"]).output.splitlines()
    assert [line.split()[0] for line in listed] == ["PHULAM", "TANHOA"]
    assert "Xa Tan Hoa" in listed[1] and "Asia/Bangkok" in listed[1]
    added = runner.invoke(
        args=["channel", "add", "--commune", "TANHOA", "--twilio-number", "0277 3000 111"]
    )
    assert added.exit_code == 0, added.output
    device = runner.invoke(args=["channel", "add", "--commune", "TANHOA", "--gateway-device", "a1"])
    assert device.exit_code == 0, device.output
    [row] = db["channels"].rows_where("kind = 'gateway' AND address = 'a1'")
    assert f"/sms/gateway/{row['id']}" in device.output and row["secret"] in device.output
    clash = runner.invoke(
        args=["channel", "add", "--commune", "PHULAM", "--twilio-number", "+842773000111"]
    )
    assert clash.exit_code != 0 and "already belongs" in clash.output
    # The first commune's number from the environment is taken too.
    app.config["TWILIO_FROM_NUMBER"] = "+842773000222"
    taken = runner.invoke(
        args=["channel", "add", "--commune", "TANHOA", "--twilio-number", "02773000222"]
    )
    assert taken.exit_code != 0 and "already belongs" in taken.output
    shown = runner.invoke(args=["commune", "show", "TANHOA"]).output
    assert "+842773000111" in shown and "jurisdiction_id  tanhoa" in shown
    assert runner.invoke(args=["commune", "show", "NOWHERE"]).exit_code != 0


def test_seed_demo_adds_a_second_commune_with_its_own_places_days_and_number(runner, db):
    result = runner.invoke(args=["seed", "--demo"])
    assert result.exit_code == 0, result.output
    second = communes.by_code(db, DEMO_CODE)
    assert channels.for_twilio(db, DEMO_TWILIO_NUMBER, FIRST_NUMBER)[0] == second
    hamlets = [row["name"] for row in db["hamlets"].rows_where("commune_id = ?", [second.id])]
    assert hamlets and "Tân Phú" not in hamlets
    weekdays = {
        row["weekday"] for row in db["schedule_rules"].rows_where("commune_id = ?", [second.id])
    }
    assert weekdays == {0, 2}
    assert db["requests"].count_where("commune_id = ?", [second.id]) == 2
    # Run again: nothing doubles.
    counts = _counts(db)
    assert runner.invoke(args=["seed", "--demo"]).exit_code == 0
    assert _counts(db) == counts


def test_gateway_register_for_a_commune_points_its_phone_at_the_devices_own_url(
    app, runner, db, second
):
    from tests.fakes.gateway_phone import FakeGatewayPhone
    from tests.fakes.live_app import LiveApp

    with db.conn:
        device = channels.add_gateway(db, second, "phuthanh-sim")
    with LiveApp(app) as live, FakeGatewayPhone(device["secret"]) as phone:
        app.config.update(
            SMS_GATEWAY_URL=phone.base_url,
            SMS_GATEWAY_USERNAME="sms",
            SMS_GATEWAY_PASSWORD="secret",
            SMS_GATEWAY_SIGNING_KEY="first-commune-key",
            PUBLIC_BASE_URL=live.url,
        )
        result = runner.invoke(
            args=["gateway", "register", "--mode", phone.mode, "--commune", DEMO_CODE]
        )
        assert result.exit_code == 0, result.output
        assert {hook["url"] for hook in phone.webhooks.values()} == {
            f"{live.url}/sms/gateway/{device['id']}"
        }
        phone.receive(PHONE, "HEN Phu Hiep")
        phone.deliver_webhooks()
    answer_all(app)  # the worker's step
    [inbound] = db["messages"].rows_where("direction = 'in'")
    assert (inbound["commune_id"], inbound["intent"]) == (second.id, "visit")
