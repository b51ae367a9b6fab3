"""The phone simulator: its switch, its signed path to the webhooks, its thread and player."""

import re
import xml.etree.ElementTree as ET

import pytest
from twilio.twiml.voice_response import Gather, VoiceResponse

from app import config, outbox, residents
from app.simulator import phone
from tests.conftest import PUBLIC_BASE_URL

NEW_NUMBER = "0901 234 567"
NEW_E164 = "+84901234567"

OFF_ROUTES = [
    ("get", "/simulator"),
    ("get", "/simulator/api/thread?phone=0901234567"),
    ("post", "/simulator/api/sms"),
    ("post", "/simulator/api/call"),
    ("post", "/simulator/api/call/step"),
    ("post", "/simulator/api/call/record"),
    ("post", "/simulator/api/call/hangup"),
    ("get", "/simulator/recordings/RE" + "0" * 32),
]


@pytest.fixture
def sim(client):
    """The simulator page's JSON API, with the CSRF token the page carries."""
    html = client.get("/simulator").get_data(as_text=True)
    token = re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)

    class Sim:
        def post(self, path, **kwargs):
            return client.post("/simulator/api" + path, headers={"X-CSRFToken": token}, **kwargs)

        def sms(self, body, number=NEW_NUMBER):
            response = self.post("/sms", json={"phone": number, "body": body})
            assert response.status_code == 200, response.get_json()
            return response.get_json()

    return Sim()


def inbound_rows(db, phone):
    return list(db["messages"].rows_where("phone = ? AND direction = 'in'", [phone]))


# --- the switch ---------------------------------------------------------------------------


@pytest.mark.parametrize("method,path", OFF_ROUTES)
def test_every_simulator_route_answers_404_when_the_simulator_is_off(app, client, method, path):
    app.config["SIMULATOR"] = False
    assert getattr(client, method)(path).status_code == 404


def test_the_page_is_on_in_the_embedded_default(client):
    response = client.get("/simulator")
    assert response.status_code == 200
    assert "Điện thoại thử" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "env,expected",
    [
        ({}, True),
        ({"SMS_TRANSPORT": "console"}, True),
        ({"SMS_TRANSPORT": "twilio"}, False),
        ({"SMS_TRANSPORT": "gateway"}, False),
        ({"SMS_TRANSPORT": "twilio", "SIMULATOR": "1"}, True),
    ],
)
def test_the_simulator_is_on_only_with_the_console_transport_or_when_forced(
    tmp_path, env, expected
):
    assert config.from_environment(str(tmp_path), env=env)["SIMULATOR"] is expected


@pytest.mark.parametrize("args", [["sms", NEW_NUMBER, "HEN"], ["call", NEW_NUMBER]])
def test_the_cli_twin_refuses_to_run_when_the_simulator_is_off(app, runner, db, args):
    app.config["SIMULATOR"] = False
    result = runner.invoke(args=args)
    assert result.exit_code == 1
    assert "simulator is off" in result.output
    assert inbound_rows(db, NEW_E164) == []


# --- the page -----------------------------------------------------------------------------


def test_the_page_offers_demo_residents_and_loads_no_inline_script(app, client, db):
    resident = residents.find_or_create(db, "0909 111 222")
    residents.update(db, resident["id"], name="Lê Thị Mai")
    html = client.get("/simulator").get_data(as_text=True)
    assert '<option value="+84909111222">0909 111 222 · Lê Thị Mai' in html
    # The console's CSP allows only script files from the app itself.
    assert re.findall(r"<script[^>]*>", html) == ['<script src="/static/js/simulator.js" defer>']
    assert not re.search(r"\son[a-z]+=", html)
    assert "http://" not in html and "https://" not in html


def test_the_thread_endpoint_normalises_any_written_form_of_a_number(client):
    response = client.get("/simulator/api/thread", query_string={"phone": "84-901-234-567"})
    assert response.get_json() == {
        "phone": NEW_E164,
        "display": "0901 234 567",
        "name": "",
        "messages": [],
    }


def test_a_number_that_is_not_a_phone_gets_a_clear_400(client, sim):
    assert client.get("/simulator/api/thread?phone=abc").status_code == 400
    response = sim.post("/sms", json={"phone": "12", "body": "HEN"})
    assert response.status_code == 400
    assert "Not a valid phone number" in response.get_json()["error"]


def test_the_simulator_api_needs_the_pages_csrf_token(client, db):
    response = client.post("/simulator/api/sms", json={"phone": NEW_NUMBER, "body": "HEN"})
    assert response.status_code == 400
    assert inbound_rows(db, NEW_E164) == []


# --- SMS through the real webhook ---------------------------------------------------------


def test_an_sms_from_the_page_goes_signed_through_the_real_webhook_and_is_logged(client, sim, db):
    # The webhook itself refuses anything unsigned: the simulator cannot be a bypass.
    assert client.post("/sms/twilio", data={"From": NEW_E164, "Body": "HEN"}).status_code == 403

    data = sim.sms("LICH")

    assert data["replies"] and all(body.startswith("Xa Phu Lam") for body in data["replies"])
    (inbound,) = inbound_rows(db, NEW_E164)
    assert inbound["provider"] == "twilio"
    assert re.fullmatch(r"SM[0-9a-f]{32}", inbound["provider_id"])
    assert inbound["body"] == "LICH"
    thread = data["messages"]
    assert [m["direction"] for m in thread] == ["in"] + ["out"] * len(data["replies"])
    assert [m["body"] for m in thread[1:]] == data["replies"]


def test_each_send_gets_its_own_message_sid_so_two_equal_texts_are_two_messages(sim, db):
    sim.sms("LICH")
    sim.sms("LICH")
    rows = inbound_rows(db, NEW_E164)
    assert len(rows) == 2
    assert rows[0]["provider_id"] != rows[1]["provider_id"]


def test_booking_a_home_visit_by_sms_opens_a_request_for_staff(sim, db):
    reply = sim.sms("HEN")["replies"][0]
    if "1=" in reply:  # a new number is asked for its hamlet first
        reply = sim.sms("1")["replies"][0]
    (request,) = db["requests"].rows_where("channel = 'sms' AND kind = 'visit'")
    assert request["ref"] in reply
    assert residents.get(db, request["resident_id"])["phone"] == NEW_E164


def test_the_thread_shows_later_outbox_messages_once_whether_waiting_or_sent(app, sim, db):
    sim.sms("LICH")
    outbox.enqueue(db, NEW_E164, "Xa Phu Lam: nhac lich", kind="reminder", dedupe_key="r:1")
    waiting = sim.post("/sms", json={"phone": NEW_NUMBER, "body": "XEM"}).get_json()
    assert [(m["body"], m["status"]) for m in waiting["messages"] if m["kind"] == "reminder"] == [
        ("Xa Phu Lam: nhac lich", "pending")
    ]
    with app.app_context():
        outbox.send_due(db)
    thread = app.test_client().get(f"/simulator/api/thread?phone={NEW_E164}").get_json()
    reminders = [m for m in thread["messages"] if m["body"] == "Xa Phu Lam: nhac lich"]
    assert len(reminders) == 1
    assert reminders[0]["direction"] == "out"
    assert reminders[0]["status"] not in ("pending", "leased")


# --- TwiML player -------------------------------------------------------------------------


def test_voice_twiml_becomes_plain_steps_with_urls_resolved_inside_the_app(app):
    response = VoiceResponse()
    response.say("Xin chào", language="vi-VN")
    gather = Gather(action="/voice/menu?step=main", num_digits=1, timeout=8)
    gather.say("Bấm phím 1", language="vi-VN")
    response.append(gather)
    response.redirect(PUBLIC_BASE_URL + "/voice/menu?retry=1")
    response.play("/static/prompts/vi/greeting.mp3")
    response.record(
        action="recorded",
        max_length=120,
        recording_status_callback="/voice/recording-status",
    )
    response.hangup()
    with app.test_request_context():
        steps = phone.parse_voice(str(response), "/voice/incoming")
    assert steps == [
        {"verb": "say", "text": "Xin chào", "language": "vi-VN", "loop": 1},
        {
            "verb": "gather",
            "action": "/voice/menu?step=main",
            "method": "POST",
            "timeout": 8,
            "num_digits": 1,
            "finish_on_key": "#",
            "children": [{"verb": "say", "text": "Bấm phím 1", "language": "vi-VN", "loop": 1}],
        },
        {"verb": "redirect", "url": "/voice/menu?retry=1", "method": "POST"},
        {"verb": "play", "url": "/static/prompts/vi/greeting.mp3", "loop": 1},
        {
            "verb": "record",
            "action": "/voice/recorded",
            "method": "POST",
            "max_length": 120,
            "timeout": 5,
            "play_beep": True,
            "status_callback": "/voice/recording-status",
            "status_callback_method": "POST",
        },
        {"verb": "hangup"},
    ]


@pytest.mark.parametrize(
    "url",
    ["https://evil.example.com/voice/x", "/sms/twilio", "/simulator/api/sms", "/voice/../login"],
)
def test_the_phone_only_follows_the_apps_own_voice_webhooks(app, url):
    with app.test_request_context(), pytest.raises(phone.SimulatorError):
        phone.voice_path(url)


def test_messaging_twiml_replies_are_read_from_message_elements():
    xml = "<Response><Message>Mot</Message><Message><Body>Hai</Body></Message></Response>"
    assert phone.message_bodies(xml) == ["Mot", "Hai"]
    with pytest.raises(phone.SimulatorError):
        phone.message_bodies("<html>oops</html>")


def test_the_sample_clip_is_a_short_small_wav():
    data = phone.sample_clip()
    assert len(data) < 100_000
    assert data[:4] == b"RIFF" and data[8:12] == b"WAVE"
    assert 1 <= phone.clip_seconds(phone.SAMPLE_CLIP) <= 5


# --- CLI twin: SMS ------------------------------------------------------------------------


def test_the_sms_command_prints_the_reply_and_logs_a_real_inbound_message(runner, db):
    result = runner.invoke(args=["sms", NEW_NUMBER, "LICH"])
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert lines and all(line.startswith("Xa Phu Lam") for line in lines)
    (inbound,) = inbound_rows(db, NEW_E164)
    assert inbound["body"] == "LICH"
    replies = list(db["messages"].rows_where("reply_to_id = ?", [inbound["id"]]))
    assert [row["body"] for row in replies] == lines


def test_the_sms_command_refuses_a_number_that_is_not_a_phone(runner):
    result = runner.invoke(args=["sms", "hello", "HEN"])
    assert result.exit_code == 1
    assert "not a valid phone number" in result.output


def test_twiml_built_with_the_twilio_library_round_trips_through_the_parser(app):
    # Guards the parser against attribute spellings of the library's builders.
    response = VoiceResponse()
    response.gather(action="/voice/a", timeout=10, finish_on_key="")
    with app.test_request_context():
        (step,) = phone.parse_voice(str(response), "/voice/incoming")
    assert ET.fromstring(str(response)).find("Gather").get("timeout") == "10"
    assert (step["timeout"], step["finish_on_key"]) == (10, "")
