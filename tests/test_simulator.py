"""The phone simulator: its switch, its signed path to the webhooks, its thread and player."""

import re
import threading
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from twilio.twiml.voice_response import Gather, VoiceResponse

from app import residents
from app.delivery import outbox
from app.infra import config, wake
from app.ops import worker
from simulator import clips, phone
from tests.conftest import PUBLIC_BASE_URL, send_due, signed_in_client

# Every test here runs at a frozen day hour and at a frozen night (quiet) hour.
pytestmark = pytest.mark.usefixtures("any_hour")


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
def client(app):
    """A browser signed in as an officer: the simulator is for staff only."""
    officer = signed_in_client(app, "lan", "staff")
    app.config["WTF_CSRF_ENABLED"] = True
    return officer


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


def test_the_page_is_on_in_the_embedded_default_and_may_use_the_microphone(client):
    response = client.get("/simulator")
    assert response.status_code == 200
    assert "Điện thoại thử" in response.get_data(as_text=True)
    # The console denies the microphone everywhere; the phone needs it for voice messages.
    assert "microphone=(self)" in response.headers["Permissions-Policy"]


@pytest.mark.parametrize(
    "env,expected",
    [
        ({}, True),
        ({"SMS_TRANSPORT": "console"}, True),
        ({"SMS_TRANSPORT": "twilio"}, False),
        ({"SMS_TRANSPORT": "gateway"}, False),
        ({"SMS_TRANSPORT": "console", "TWILIO_AUTH_TOKEN": "real"}, False),
        ({"SMS_TRANSPORT": "console", "SMS_GATEWAY_SIGNING_KEY": "k"}, False),
        ({"SMS_TRANSPORT": "twilio", "SIMULATOR": "1"}, True),
        ({"SIMULATOR": "0"}, False),
    ],
)
def test_the_simulator_is_on_only_in_the_embedded_demo_or_when_forced(tmp_path, env, expected):
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


# --- SMS through the door the webhook uses --------------------------------------------------


def test_an_sms_from_the_page_is_taken_in_as_the_webhook_takes_it_and_is_logged(client, sim, db):
    # The webhook itself still refuses anything unsigned: the simulator opens no bypass.
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


def test_a_text_from_the_page_wakes_the_workers_as_a_webhook_does(app, sim):
    listener = wake.Listener(app.config["DATABASE_PATH"])
    try:
        sim.sms("LICH")
        assert listener.wait(5) is True
    finally:
        listener.close()


@pytest.fixture
def running_worker(app, db):
    """`flask worker` in a thread of this process, reporting as running from the start."""
    worker.beat(db, "starting")  # so the phone waits for it rather than answering itself
    stopping = threading.Event()
    thread = threading.Thread(target=worker.run, args=(app,), kwargs={"stopping": stopping})
    thread.start()
    yield
    stopping.set()
    thread.join(timeout=30)
    assert not thread.is_alive()


def test_with_a_worker_running_the_page_shows_the_replies_its_transport_sent(sim, running_worker):
    data = sim.sms("LICH")
    # Woken when the reply left, not at the end of the phone's wait.
    assert data["late"] is False
    assert data["replies"] and all(body.startswith("Xa Phu Lam") for body in data["replies"])
    sent = [m for m in data["messages"] if m["direction"] == "out"]
    assert [m["body"] for m in sent] == data["replies"]
    assert {m["status"] for m in sent} == {"delivered"}  # the console transport's word


def test_with_a_worker_running_the_sms_command_prints_the_sent_reply(runner, running_worker):
    result = runner.invoke(args=["sms", NEW_NUMBER, "LICH"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Xa Phu Lam")
    assert "had not sent" not in result.output


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


def test_the_thread_shows_later_outbox_messages_once_whether_waiting_or_sent(
    app, sim, db, any_hour
):
    sim.sms("LICH")
    outbox.enqueue(db, NEW_E164, "Xa Phu Lam: nhac lich", kind="reminder", dedupe_key="r:1")
    waiting = sim.post("/sms", json={"phone": NEW_NUMBER, "body": "XEM"}).get_json()
    assert [(m["body"], m["status"]) for m in waiting["messages"] if m["kind"] == "reminder"] == [
        ("Xa Phu Lam: nhac lich", "pending")
    ]
    with app.app_context():
        send_due(db)  # the replies, which quiet hours do not hold (no worker runs here)
        any_hour.morning(db)
        send_due(db)
    thread = (
        signed_in_client(app, "lan", "staff")
        .get(f"/simulator/api/thread?phone={NEW_E164}")
        .get_json()
    )
    reminders = [m for m in thread["messages"] if m["body"] == "Xa Phu Lam: nhac lich"]
    assert len(reminders) == 1
    assert reminders[0]["direction"] == "out"
    assert reminders[0]["status"] not in ("pending", "leased")


def test_the_thread_notes_waiting_and_undelivered_sms_in_the_lifecycle_words(app, sim, db):
    from app.delivery import messages

    sim.sms("LICH")
    outbox.enqueue(db, NEW_E164, "Xa Phu Lam: nhac lich", kind="reminder", dedupe_key="r:2")
    messages.record_outbound(
        db,
        provider="twilio",
        provider_id="SMlost",
        phone=NEW_E164,
        body="Xa Phu Lam: lost",
        status="sent",
    )
    messages.update_delivery(db, provider="twilio", provider_id="SMlost", status="undelivered")
    thread = app.test_client().get(f"/simulator/api/thread?phone={NEW_E164}").get_json()
    notes = {m["body"]: m["note"] for m in thread["messages"]}
    assert notes["Xa Phu Lam: nhac lich"] == "Chờ gửi / waiting to send"
    assert notes["Xa Phu Lam: lost"] == "Không đến được / not delivered"
    assert notes["LICH"] == ""


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


def test_the_sample_clip_is_a_short_small_wav():
    data = clips.sample()
    assert len(data) < 100_000
    assert data[:4] == b"RIFF" and data[8:12] == b"WAVE"
    assert 1 <= clips.seconds(clips.SAMPLE_CLIP) <= 5


# --- CLI twin: SMS ------------------------------------------------------------------------


def test_the_sms_command_prints_the_reply_and_logs_a_real_inbound_message(runner, db):
    result = runner.invoke(args=["sms", NEW_NUMBER, "LICH"])
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert lines and all(line.startswith("Xa Phu Lam") for line in lines)
    (inbound,) = inbound_rows(db, NEW_E164)
    assert inbound["body"] == "LICH"
    # No worker runs here: the command answered in process and the replies wait to be sent.
    assert outbox.bodies_replying_to(db, inbound["id"]) == lines


def test_the_sms_command_texts_the_number_of_the_commune_it_is_given(runner, db):
    assert runner.invoke(args=["seed", "--demo"]).exit_code == 0
    result = runner.invoke(args=["sms", NEW_NUMBER, "LICH", "--commune", "PHUTHANH"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Xa Phu Thanh")
    (inbound,) = inbound_rows(db, NEW_E164)
    assert inbound["commune_id"] != 1
    unknown = runner.invoke(args=["sms", NEW_NUMBER, "LICH", "--commune", "NOWHERE"])
    assert unknown.exit_code == 1 and "no commune NOWHERE" in unknown.output


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


# --- calls through the real voice webhooks ------------------------------------------------


def known_resident(db, number="0909 111 222", hamlet_code="TANPHU"):
    """A resident whose hamlet is on file, so the menu only asks to confirm it."""
    resident = residents.find_or_create(db, number)
    hamlet_id = db.execute("SELECT id FROM hamlets WHERE code = ?", [hamlet_code]).fetchone()[0]
    return residents.update(db, resident["id"], name="Lê Thị Mai", hamlet_id=hamlet_id)


def first_gather(steps):
    return next(step for step in steps if step["verb"] == "gather")


def test_a_call_from_the_page_walks_the_real_menu_to_a_booked_visit(sim, db):
    resident = known_resident(db)
    started = sim.post("/call", json={"phone": "0909 111 222"}).get_json()
    call_sid = started["call_sid"]
    assert re.fullmatch(r"CA[0-9a-f]{32}", call_sid)
    assert started["path"] == "/voice/incoming"
    assert first_gather(started["steps"])["children"][0]["verb"] == "say"

    leg = started
    for key in ("1", "1"):  # home visit, then confirm the hamlet on file
        gather = first_gather(leg["steps"])
        payload = {"phone": "0909 111 222", "call_sid": call_sid, "path": gather["action"]}
        leg = sim.post("/call/step", json={**payload, "method": "POST", "digits": key}).get_json()

    (request,) = db["requests"].rows_where("resident_id = ? AND kind = 'visit'", [resident["id"]])
    assert request["channel"] == "voice"
    said = " ".join(
        step["text"]
        for top in leg["steps"]
        for step in [top, *top.get("children", [])]
        if step["verb"] == "say"
    )
    assert "Tân Phú" in said
    call = db["calls"].get(call_sid)
    assert call["phone"] == "+84909111222"


def test_a_call_from_the_phone_hears_what_the_signed_webhook_answers(app, twilio_post):
    called = app.config["TWILIO_FROM_NUMBER"]
    form = {"CallSid": "CA" + "1" * 32, "From": NEW_E164, "Called": called, "To": called}
    webhook = twilio_post("/voice/incoming", {**form, "CallStatus": "ringing"})
    assert webhook.status_code == 200
    with app.test_request_context():
        _call_sid, leg = phone.start_call(NEW_E164)
        assert leg.steps == phone.parse_voice(webhook.get_data(as_text=True), "/voice/incoming")
        # A step the channel refuses is refused as the webhook would answer it.
        with pytest.raises(phone.Refused) as refused:
            phone.follow(_call_sid, NEW_E164, "/voice/visit/abc")
    assert refused.value.status == twilio_post("/voice/visit/abc", form).status_code == 404


def test_no_key_falls_through_to_the_redirect_which_the_page_follows_without_digits(sim, db):
    started = sim.post("/call", json={"phone": NEW_NUMBER}).get_json()
    verbs = [step["verb"] for step in started["steps"]]
    redirect = started["steps"][verbs.index("gather") + 1]
    assert redirect["verb"] == "redirect"
    leg = sim.post(
        "/call/step",
        json={"phone": NEW_NUMBER, "call_sid": started["call_sid"], "path": redirect["url"]},
    ).get_json()
    assert any(step["verb"] == "gather" for step in leg["steps"])


def test_a_step_outside_the_voice_webhooks_is_refused(sim):
    started = sim.post("/call", json={"phone": NEW_NUMBER}).get_json()
    response = sim.post(
        "/call/step",
        json={"phone": NEW_NUMBER, "call_sid": started["call_sid"], "path": "/sms/twilio"},
    )
    assert response.status_code == 502
    assert "voice webhooks" in response.get_json()["error"]


def test_a_made_up_call_sid_is_refused(sim):
    payload = {"phone": NEW_NUMBER, "call_sid": "CA-nope", "path": "/voice/menu"}
    assert sim.post("/call/step", json=payload).status_code == 400


def leave_voice_message(sim, data=None):
    started = sim.post("/call", json={"phone": NEW_NUMBER}).get_json()
    gather = first_gather(started["steps"])
    leg = sim.post(
        "/call/step",
        json={
            "phone": NEW_NUMBER,
            "call_sid": started["call_sid"],
            "path": gather["action"],
            "digits": "0",
        },
    ).get_json()
    record = next(step for step in leg["steps"] if step["verb"] == "record")
    form = {
        "phone": NEW_NUMBER,
        "call_sid": started["call_sid"],
        "action": record["action"],
        "method": record["method"],
        "max_length": str(record["max_length"]),
        "status_callback": record["status_callback"],
        "status_callback_method": record["status_callback_method"],
        **(data or {}),
    }
    response = sim.post("/call/record", data=form)
    assert response.status_code == 200, response.get_json()
    return started["call_sid"], response.get_json()


def test_a_voice_message_with_the_sample_clip_is_stored_and_served_for_staff(app, client, sim, db):
    call_sid, answer = leave_voice_message(sim)

    recording_sid = answer["recording_sid"]
    (request,) = db["requests"].rows_where("channel = 'voice' AND kind = 'question'")
    assert request["recording_sid"] == recording_sid
    assert request["recording_url"] == f"{PUBLIC_BASE_URL}/simulator/recordings/{recording_sid}"
    assert request["recording_duration"] == clips.seconds(clips.SAMPLE_CLIP)
    served = client.get(f"/simulator/recordings/{recording_sid}")
    assert served.status_code == 200
    assert served.mimetype == "audio/wav"
    assert served.data == clips.sample()
    # The clip lives beside the test database, never in the project's instance folder.
    stored = Path(app.config["DATABASE_PATH"]).parent / "recordings" / f"{recording_sid}.wav"
    assert stored.read_bytes() == clips.sample()
    assert any(step["verb"] == "say" for step in answer["steps"])


def test_a_microphone_clip_is_uploaded_with_its_type_and_duration(client, sim, db):
    from io import BytesIO

    clip = (BytesIO(b"\x1aE\xdf\xa3fake-webm"), "clip", "audio/webm;codecs=opus")
    _call_sid, answer = leave_voice_message(sim, {"clip": clip, "duration": "7"})
    served = client.get(f"/simulator/recordings/{answer['recording_sid']}.mp3")
    assert (served.status_code, served.mimetype) == (200, "audio/webm")
    (request,) = db["requests"].rows_where("channel = 'voice' AND kind = 'question'")
    assert request["recording_duration"] == 7


def test_an_unknown_recording_is_a_404(client):
    assert client.get("/simulator/recordings/RE" + "f" * 32).status_code == 404
    assert client.get("/simulator/recordings/..%2Fsecret_key").status_code == 404


def test_hanging_up_sends_the_call_status_callback(sim, db):
    started = sim.post("/call", json={"phone": NEW_NUMBER}).get_json()
    response = sim.post(
        "/call/hangup", json={"phone": NEW_NUMBER, "call_sid": started["call_sid"], "duration": 12}
    )
    assert response.get_json() == {"call_sid": started["call_sid"], "status_callback": 200}
    assert db["calls"].get(started["call_sid"])["status"] == "completed"


# --- CLI twin: calls ----------------------------------------------------------------------


def test_the_call_command_books_a_visit_from_keys_typed_in_the_terminal(runner, db):
    resident = known_resident(db)
    result = runner.invoke(args=["call", "0909 111 222"], input="1\n1\n")
    assert result.exit_code == 0, result.output
    assert "Ủy ban xã Phú Lâm xin chào." in result.output
    assert "Tân Phú" in result.output
    assert result.output.rstrip().endswith("Call ended.")
    (request,) = db["requests"].rows_where("resident_id = ? AND kind = 'visit'", [resident["id"]])
    assert request["channel"] == "voice"


def test_empty_lines_are_timeouts_and_the_silent_caller_ends_in_voicemail(runner, db):
    result = runner.invoke(args=["call", NEW_NUMBER], input="\n\n\n\n")
    assert result.exit_code == 0, result.output
    assert result.output.count("(no key for") == 2
    assert "[beep] recording: the sample clip is sent" in result.output
    (request,) = db["requests"].rows_where("channel = 'voice' AND kind = 'question'")
    assert request["recording_url"].startswith(PUBLIC_BASE_URL + "/simulator/recordings/RE")
