"""The voice menu, walked key by key through signed webhooks, asserting on parsed TwiML."""

import json
import xml.etree.ElementTree as ET
from urllib.parse import parse_qs, urlsplit

import pytest

from app import lifecycle, residents, trips
from app.catalogue import guidance, hamlets
from app.infra import clock
from app.language.days import spoken_day
from app.request_queue import service_requests
from db import transaction
from tests.conftest import PUBLIC_BASE_URL
from voice import engine as voice_engine
from voice import menu as voice_menu
from voice.prompts import PROMPTS, prompt

MOBILE = "+84912345678"
LANDLINE = "+842963123456"
VOICE_PARAMS = {"To": "+84000000000", "Direction": "inbound", "AccountSid": "AC" + "0" * 32}


def fields(call_sid, phone, digits=None, **extra):
    """The form Twilio posts for a step of a call."""
    params = {**VOICE_PARAMS, "CallSid": call_sid, "From": phone, **extra}
    if digits is not None:
        params["Digits"] = digits
    return params


def relative(url):
    """A TwiML URL as the path the test client posts to."""
    assert url.startswith(PUBLIC_BASE_URL + "/voice/"), url
    return url[len(PUBLIC_BASE_URL) :]


def step_number(url):
    """The n parameter of a step URL (0 for the first step)."""
    return int(parse_qs(urlsplit(url).query).get("n", ["0"])[0])


DIGITS_VI = "không một hai ba bốn năm sáu bảy tám chín".split()


def code_reading(ref):
    """How the confirmation reads a five-digit code: in groups of two and three, twice."""
    groups = ", ".join(" ".join(DIGITS_VI[int(d)] for d in part) for part in (ref[:2], ref[2:]))
    return f"Mã số của ông bà là: {groups}. Xin nhắc lại: {groups}."


def spoken(element):
    """Every sentence said (or the URL played) under ELEMENT, in order."""
    lines = []
    for node in element.iter():
        if node.tag == "Say":
            lines.append("".join(node.itertext()).strip())
        elif node.tag == "Play":
            lines.append(node.text)
    return lines


class Call:
    """One phone call driven through the webhooks, following the TwiML it gets back."""

    def __init__(self, twilio_post, phone=MOBILE, call_sid="CA" + "a" * 32, **extra):
        self.post = twilio_post
        self.phone = phone
        self.call_sid = call_sid
        self.extra = extra
        self.twiml = None
        self.presses = 0

    def request(self, path, digits=None, **extra):
        response = self.post(
            path, fields(self.call_sid, self.phone, digits, **{**self.extra, **extra})
        )
        assert response.status_code == 200, response.data
        assert response.mimetype == "text/xml"
        self.raw = response.data
        self.twiml = ET.fromstring(response.data)
        assert_good_twiml(self.twiml)
        return self.twiml

    def start(self, path="/voice/incoming"):
        return self.request(path)

    def press(self, digits):
        self.presses += 1
        return self.request(relative(self.gather.get("action")), digits)

    def wait(self):
        """Press nothing: Twilio follows the <Redirect> after the <Gather>."""
        return self.request(relative(self.twiml.find("Redirect").text))

    @property
    def gather(self):
        gather = self.twiml.find("Gather")
        assert gather is not None, ET.tostring(self.twiml)
        return gather

    @property
    def said(self):
        return spoken(self.twiml)

    def hears(self, text):
        return any(text in line for line in self.said)


def assert_good_twiml(root, languages=("vi-VN", "en-US")):
    """The elderly-first rules that hold for every answer the menu gives."""
    assert root.tag == "Response"
    children = list(root)
    assert children, "an empty answer leaves the caller in silence"
    assert children[-1].tag in ("Redirect", "Hangup"), "a call must never go silent"
    for index, child in enumerate(children):
        if child.tag == "Gather":
            assert child.get("action", "").startswith(PUBLIC_BASE_URL + "/voice/")
            assert 8 <= int(child.get("timeout")) <= 10
            assert children[index + 1].tag == "Redirect", "no-input path after every Gather"
        if child.tag == "Record":
            assert children[index + 1].tag == "Redirect"
    for say in root.iter("Say"):
        assert say.get("language") in languages
        assert say.get("voice")


@pytest.fixture
def known_caller(db):
    """A resident whose number is linked to the hamlet Phú Hòa A."""
    hamlet = next(row for row in hamlets.active(db) if row["name"] == "Phú Hòa A")
    with transaction(db):
        return residents.find_or_create(db, MOBILE, hamlet_id=hamlet["id"])


def rows(db, table, where=None, params=None):
    return list(db[table].rows_where(where, params or []))


# Signatures.


@pytest.mark.parametrize(
    "path",
    [
        "/voice/incoming",
        "/voice/menu?n=1",
        "/voice/visit?n=2",
        "/voice/guidance?page=0&n=2",
        "/voice/record?n=3",
        "/voice/recording-status",
        "/voice/status",
    ],
)
def test_a_forged_voice_request_is_refused(client, path):
    params = fields("CA" + "f" * 32, MOBILE, digits="1", CallStatus="completed")
    response = client.post(path, data=params, headers={"X-Twilio-Signature": "forged"})
    assert response.status_code == 403


def test_a_signed_step_without_a_call_sid_is_a_bad_request(twilio_post):
    assert twilio_post("/voice/menu?n=1", {"From": MOBILE, "Digits": "1"}).status_code == 400


# Greeting and main menu.


def test_the_greeting_names_the_commune_and_says_staff_never_ask_for_an_otp(twilio_post):
    call = Call(twilio_post)
    call.start()
    assert call.said[0] == "Ủy ban xã Phú Lâm xin chào."
    assert call.said[1] == "Cán bộ xã không bao giờ hỏi mã ô tê pê."
    assert call.gather.get("numDigits") == "1"


def test_every_main_menu_option_says_the_action_first_and_the_key_last(twilio_post):
    call = Call(twilio_post)
    call.start()
    options = [line for line in call.said if "bấm phím" in line]
    assert [line.split("bấm phím ")[1][0] for line in options] == list("12309")
    for line in options:
        action, key = line.split(", bấm phím ")
        assert len(action.split()) >= 2 and key[0].isdigit() and key[1:] == ".", line


def test_english_is_offered_once_in_english_by_the_english_voice(app, twilio_post):
    call = Call(twilio_post)
    root = call.start()
    *vietnamese, english = root.iter("Say")
    assert (english.get("language"), english.get("voice")) == (
        "en-US",
        app.config["TWILIO_VOICE_EN"],
    )
    assert "".join(english.itertext()) == "For English, press 8."
    for say in vietnamese:
        assert (say.get("language"), say.get("voice")) == ("vi-VN", app.config["TWILIO_VOICE"])
        assert "English" not in "".join(say.itertext())
    root = call.press("8")
    *english, vietnamese = root.iter("Say")
    assert {say.get("language") for say in english} == {"en-US"}
    assert (vietnamese.get("language"), vietnamese.get("voice")) == (
        "vi-VN",
        app.config["TWILIO_VOICE"],
    )
    assert "".join(vietnamese.itertext()) == "Nghe tiếng Việt, bấm phím 8."


def test_speech_is_slowed_down_for_elderly_listeners(twilio_post):
    call = Call(twilio_post)
    root = call.start()
    for say in root.iter("Say"):
        assert [child.tag for child in say] == ["prosody"]
        assert say.find("prosody").get("rate") == "slow"


@pytest.mark.parametrize(
    ("key", "known", "expected_path"),
    [
        ("1", True, "/voice/visit"),
        ("1", False, "/voice/hamlets"),
        ("2", False, "/voice/guidance"),
        ("3", True, "/voice/schedule/"),
        ("3", False, "/voice/hamlets"),
        ("9", False, "/voice/menu"),
        ("8", False, "/voice/menu"),
    ],
)
def test_main_menu_keys_lead_to_their_menus(db, twilio_post, key, known, expected_path):
    if known:
        with transaction(db):
            residents.find_or_create(db, MOBILE, hamlet_id=hamlets.active(db)[0]["id"])
    call = Call(twilio_post)
    call.start()
    call.press(key)
    assert urlsplit(call.gather.get("action")).path.startswith(expected_path)


def test_key_0_leads_to_a_two_minute_recording(twilio_post):
    call = Call(twilio_post)
    call.start()
    root = call.press("0")
    record = root.find("Record")
    assert record.get("maxLength") == "120"
    assert record.get("playBeep") == "true"
    assert record.get("action").startswith(PUBLIC_BASE_URL + "/voice/record")
    assert record.get("recordingStatusCallback") == PUBLIC_BASE_URL + "/voice/recording-status"
    assert call.hears("Xin nói lời nhắn sau tiếng bíp")


# Home visit.


def test_a_known_caller_books_a_visit_in_two_key_presses(db, twilio_post, known_caller):
    call = Call(twilio_post)
    call.start()
    call.press("1")
    assert call.hears("Cán bộ xã sẽ đến nhà ông bà, ở ấp Phú Hòa A.")
    call.press("1")
    assert call.presses <= 3
    [request] = rows(db, "requests")
    assert (request["kind"], request["channel"], request["status"]) == (
        "visit",
        "voice",
        "scheduled",
    )
    assert request["source_key"] == f"voice:{call.call_sid}:visit"
    assert request["resident_id"] == known_caller["id"]
    trip = trips.get(db, request["trip_id"])
    day = spoken_day(clock.to_local(trip["starts_at"]).date())
    assert call.hears(f"Cán bộ đến ấp Phú Hòa A vào buổi sáng, {day}.")
    assert call.hears(code_reading(request["ref"]))
    assert call.hears("Nghe lại, bấm phím 9.")


def test_the_confirmation_reads_a_digit_code_in_groups_twice(db, twilio_post, known_caller):
    call = Call(twilio_post)
    call.start()
    call.press("1")
    call.press("1")
    [request] = rows(db, "requests")
    with transaction(db):
        db["requests"].update(request["id"], {"ref": "12345"})
    call.press("9")
    assert call.hears(
        "Mã số của ông bà là: một hai, ba bốn năm. Xin nhắc lại: một hai, ba bốn năm."
    )


def test_an_old_letter_code_is_read_with_vietnamese_letter_names_and_english_for_the_rest(
    app, db, twilio_post, known_caller
):
    call = Call(twilio_post)
    call.start()
    call.press("1")
    call.press("1")
    [request] = rows(db, "requests")
    with transaction(db):
        db["requests"].update(request["id"], {"ref": "ACF3K"})
    root = call.press("9")
    pieces = [(say.get("language"), "".join(say.itertext())) for say in root.iter("Say")]
    code = [("vi-VN", "a, xê"), ("en-US", "F"), ("vi-VN", "ba, ca. Xin nhắc lại: a, xê")]
    assert ("vi-VN", "Mã số của ông bà là: a, xê") in pieces
    assert pieces.count(code[1]) == 2
    assert ("vi-VN", code[2][1]) in pieces
    for _language, text in pieces:
        assert "ép" not in text.split()


def test_a_mobile_caller_gets_an_sms_copy_of_the_confirmation(db, twilio_post, known_caller):
    call = Call(twilio_post)
    call.start()
    call.press("1")
    call.press("1")
    [request] = rows(db, "requests")
    [sms] = rows(db, "outbox")
    assert (sms["phone"], sms["kind"], sms["request_id"]) == (MOBILE, "voice_copy", request["id"])
    assert sms["dedupe_key"] == f"voice_copy:{request['id']}"
    assert sms["body"] == service_requests.confirmation_sms(db, request)
    assert call.hears("Xã sẽ nhắn tin xác nhận.")


def test_a_landline_caller_gets_no_sms_copy(db, twilio_post):
    with transaction(db):
        residents.find_or_create(db, LANDLINE, hamlet_id=hamlets.active(db)[0]["id"])
    call = Call(twilio_post, phone=LANDLINE)
    call.start()
    call.press("1")
    call.press("1")
    assert len(rows(db, "requests")) == 1
    assert rows(db, "outbox") == []
    assert not call.hears("tin nhắn xác nhận")


def test_the_repeat_key_reads_the_confirmation_again(db, twilio_post, known_caller):
    call = Call(twilio_post)
    call.start()
    call.press("1")
    call.press("1")
    ref = rows(db, "requests")[0]["ref"]
    call.press("9")
    assert call.hears(code_reading(ref))
    assert len(rows(db, "requests")) == 1


@pytest.mark.parametrize(
    ("group_key", "hamlet_key", "hamlet_name"),
    [("1", "1", "Phú Hòa A"), ("1", "6", "Tân Phú"), ("2", "2", "Long Hậu")],
)
def test_an_unknown_caller_picks_the_hamlet_by_group_then_number(
    db, twilio_post, group_key, hamlet_key, hamlet_name
):
    call = Call(twilio_post)
    call.start()
    call.press("1")
    assert call.hears("Các ấp của xã cũ Phú Lâm, bấm phím 1.")
    call.press(group_key)
    assert call.hears(f"Ấp {hamlet_name}, bấm phím {hamlet_key}.")
    call.press(hamlet_key)
    [request] = rows(db, "requests")
    assert hamlets.get(db, request["hamlet_id"])["name"] == hamlet_name
    assert residents.by_phone(db, MOBILE)["hamlet_id"] == request["hamlet_id"]
    assert call.hears("Đã nhận yêu cầu của ông bà.")


def test_a_group_of_one_hamlet_is_picked_with_a_single_key(db, twilio_post):
    call = Call(twilio_post)
    call.start()
    call.press("1")
    assert call.hears("Ấp Long Hòa 1, bấm phím 3.")
    call.press("3")
    [request] = rows(db, "requests")
    assert hamlets.get(db, request["hamlet_id"])["name"] == "Long Hòa 1"


def test_hamlets_are_grouped_so_that_every_list_fits_the_keypad():
    rows_ = [{"name": f"H{i}", "old_commune": None} for i in range(1, 20)]
    groups = voice_menu.hamlet_groups(rows_)
    assert [len(group) for _name, group in groups] == [7, 7, 5]
    assert voice_menu.hamlet_groups(rows_[:8]) is None


def test_a_known_caller_can_book_for_another_hamlet(db, twilio_post, known_caller):
    call = Call(twilio_post)
    call.start()
    call.press("1")
    call.press("2")
    call.press("2")
    call.press("1")
    [request] = rows(db, "requests")
    assert hamlets.get(db, request["hamlet_id"])["name"] == "Phú Đông"


def test_a_caller_with_an_open_visit_hears_it_instead_of_booking_again(
    db, twilio_post, known_caller
):
    first = Call(twilio_post)
    first.start()
    first.press("1")
    first.press("1")
    second = Call(twilio_post, call_sid="CA" + "b" * 32)
    second.start()
    second.press("1")
    assert second.hears("Ông bà đã có hẹn.")
    assert len(rows(db, "requests")) == 1


def test_a_hamlet_without_a_planned_trip_is_told_staff_will_call_back(
    db, twilio_post, known_caller
):
    with transaction(db):
        db.execute("UPDATE schedule_rules SET active = 0")
        db.execute("UPDATE trips SET status = 'cancelled'")
    call = Call(twilio_post)
    call.start()
    call.press("1")
    call.press("1")
    [request] = rows(db, "requests")
    assert request["status"] == "new"
    assert call.hears(prompt("visit_call_back"))
    assert call.hears(code_reading(request["ref"]))


def test_a_retried_step_returns_the_same_twiml_and_opens_nothing_new(db, twilio_post, known_caller):
    call = Call(twilio_post)
    call.start()
    call.press("1")
    action = relative(call.gather.get("action"))
    first = twilio_post(action, fields(call.call_sid, MOBILE, "1")).data
    again = twilio_post(action, fields(call.call_sid, MOBILE, "1")).data
    assert first == again
    assert len(rows(db, "requests")) == 1
    assert len(rows(db, "outbox")) == 1
    steps = rows(db, "call_steps", "call_sid = ?", [call.call_sid])
    assert len(steps) == 3


def test_the_call_is_recorded_with_its_caller_and_steps(db, twilio_post, known_caller):
    call = Call(twilio_post)
    call.start()
    call.press("9")
    row = db["calls"].get(call.call_sid)
    assert (row["phone"], row["resident_id"], row["direction"]) == (
        MOBILE,
        known_caller["id"],
        "inbound",
    )
    assert json.loads(row["data"]) == {"steps": 2}


# Timing and mistakes.


def test_a_caller_who_presses_nothing_ends_in_voicemail_after_one_re_prompt(twilio_post):
    call = Call(twilio_post)
    call.start()
    re_prompts = 0
    while call.twiml.find("Record") is None:
        call.wait()
        if call.twiml.find("Gather") is not None:
            re_prompts += 1
            assert call.hears(prompt("no_input"))
        assert re_prompts <= 2
    assert call.hears(prompt("silence_to_message"))
    assert call.presses == 0


@pytest.mark.parametrize("key", ["4", "5", "7", "*", "#"])
def test_an_invalid_key_in_the_main_menu_is_named_and_the_menu_repeated(twilio_post, key):
    call = Call(twilio_post)
    call.start()
    call.press(key)
    assert call.said[0] == prompt("invalid_key")
    assert call.hears(prompt("menu_visit"))
    assert urlsplit(call.gather.get("action")).path == "/voice/menu"


@pytest.mark.parametrize("path", ["/voice/menu", "/voice/guidance?page=0", "/voice/hamlets"])
def test_a_call_that_runs_too_long_is_wound_down_to_a_message(twilio_post, path):
    call = Call(twilio_post)
    separator = "&" if "?" in path else "?"
    root = call.request(f"{path}{separator}n={voice_engine.MAX_STEPS}", "9")
    assert root.find("Gather") is None
    assert root.find("Record") is not None
    assert call.hears(prompt("long_call_to_message"))


def test_a_stale_link_to_a_missing_procedure_returns_to_the_main_menu(twilio_post):
    call = Call(twilio_post)
    call.request("/voice/guidance/NOPE?n=3", "1")
    assert urlsplit(call.gather.get("action")).path == "/voice/menu"


# Procedure guidance.


def test_guidance_offers_at_most_five_procedures_at_a_time_and_reaches_them_all(db, twilio_post):
    call = Call(twilio_post)
    call.start()
    call.press("2")
    heard = []
    for _page in range(3):
        names = [
            line
            for line in call.said
            if line.endswith(("phím 1.", "phím 2.", "phím 3.", "phím 4.", "phím 5."))
        ]
        assert 1 <= len(names) <= 5
        heard.extend(names)
        call.press("6")
    expected = [p["spoken_name"] for p in guidance.all_procedures(db)]
    assert [line.rsplit(", bấm phím", 1)[0] for line in heard] == expected


def test_a_procedure_is_read_in_short_and_sent_in_full_by_sms_on_key_1(db, twilio_post):
    call = Call(twilio_post)
    call.start()
    call.press("2")
    call.press("3")
    procedure = guidance.get(db, "KHAISINH")
    assert call.said[:2] == ["Hướng dẫn: Khai sinh.", procedure["spoken_summary"]]
    for step in procedure["steps"]:
        assert not call.hears(step)
    assert call.hears("Nhận đủ hướng dẫn bằng tin nhắn, bấm phím 1.")
    call.press("1")
    assert call.said[0] == prompt("sms_sent")
    sent = [(row["kind"], row["body"], row["phone"]) for row in rows(db, "outbox")]
    assert sent == [
        ("guidance", guidance.sms_steps(procedure), MOBILE),
        ("guidance", guidance.sms_documents(procedure), MOBILE),
    ]
    call.press("1")  # pressing again queues nothing more
    assert len(rows(db, "outbox")) == 2


def test_a_landline_is_told_that_guidance_cannot_be_texted(db, twilio_post):
    call = Call(twilio_post, phone=LANDLINE)
    call.start()
    call.press("2")
    call.press("1")
    call.press("1")
    assert call.said[0] == prompt("sms_not_mobile")
    assert rows(db, "outbox") == []


@pytest.mark.parametrize(
    ("key", "expected_path"),
    [("*", "/voice/guidance"), ("9", "/voice/guidance/VNEID"), ("0", None)],
)
def test_after_a_procedure_keys_go_back_repeat_or_record(twilio_post, key, expected_path):
    call = Call(twilio_post)
    call.start()
    call.press("2")
    call.press("1")
    root = call.press(key)
    if expected_path is None:
        assert root.find("Record") is not None
    else:
        assert urlsplit(call.gather.get("action")).path == expected_path


def test_silence_after_guidance_says_goodbye_rather_than_voicemail(twilio_post):
    call = Call(twilio_post)
    call.start()
    call.press("2")
    call.press("1")
    call.wait()
    root = call.wait()
    assert [child.tag for child in root] == ["Say", "Hangup"]
    assert call.hears(prompt("goodbye"))


# Next visit to the hamlet.


def test_a_known_caller_hears_the_next_trip_to_their_hamlet_and_can_book_it(
    db, twilio_post, known_caller
):
    call = Call(twilio_post)
    call.start()
    call.press("3")
    trip = trips.upcoming_for_hamlet(db, known_caller["hamlet_id"], limit=1)[0]
    day = spoken_day(clock.to_local(trip["starts_at"]).date())
    assert call.said[0] == f"Lần tới, cán bộ đến ấp Phú Hòa A vào buổi sáng, {day}."
    call.press("1")
    [request] = rows(db, "requests")
    assert request["trip_id"] == trip["id"]
    assert call.presses == 2


def test_an_unknown_caller_picks_a_hamlet_to_hear_its_next_trip(db, twilio_post):
    call = Call(twilio_post)
    call.start()
    call.press("3")
    call.press("3")
    assert call.said[0].startswith("Lần tới, cán bộ đến ấp Long Hòa 1")
    assert rows(db, "requests") == []


# English.


def test_key_8_switches_the_whole_menu_to_english(db, twilio_post):
    call = Call(twilio_post)
    call.start()
    call.press("8")
    assert call.said[0] == prompt("menu_visit", "en")
    call.press("2")
    call.press("1")
    for root_say in call.twiml.iter("Say"):
        assert root_say.get("language") == "en-US"
    assert call.said[:2] == [
        "How to do it: Digital ID, level 2.",
        guidance.get(db, "VNEID")["spoken_summary_en"],
    ]
    assert db["calls"].get(call.call_sid)["language"] == "en"
    call.press("*")
    call.press("*")
    call.press("8")
    assert call.said[0] == prompt("menu_visit")


def test_a_resident_who_reads_english_is_greeted_in_english(db, twilio_post):
    with transaction(db):
        residents.find_or_create(db, MOBILE, language="en")
    call = Call(twilio_post)
    call.start()
    *english, vietnamese = call.twiml.iter("Say")
    assert call.said[0] == "This is the Xa Phu Lam People's Committee."
    assert {say.get("language") for say in english} == {"en-US"}
    assert vietnamese.get("language") == "vi-VN"  # the way back, in its own voice


def test_every_prompt_has_vietnamese_and_english():
    for key, entry in PROMPTS.items():
        assert set(entry) == {"vi", "en"}, key
        assert entry["vi"] != entry["en"], key


# Voice message.


RECORDING_SID = "RE" + "1" * 32
RECORDING_URL = (
    f"https://api.twilio.com/2010-04-01/Accounts/AC{'0' * 32}/Recordings/{RECORDING_SID}"
)


def record(call, duration="35"):
    call.start()
    call.press("0")
    action = relative(call.twiml.find("Record").get("action"))
    return call.request(
        action,
        RecordingUrl=RECORDING_URL,
        RecordingSid=RECORDING_SID,
        RecordingDuration=duration,
    )


def test_a_voice_message_becomes_a_question_for_staff(db, twilio_post):
    call = Call(twilio_post)
    root = record(call)
    assert [child.tag for child in root][-1] == "Hangup"
    assert call.hears(prompt("message_thanks"))
    [request] = rows(db, "requests")
    assert (request["kind"], request["channel"], request["status"]) == ("question", "voice", "open")
    assert (request["recording_url"], request["recording_sid"]) == (RECORDING_URL, RECORDING_SID)
    assert request["recording_duration"] == 35
    assert request["source_key"] == f"voice:{call.call_sid}:message"


def test_the_recording_status_callback_completes_the_message(db, twilio_post):
    call = Call(twilio_post)
    record(call, duration="30")
    final_url = RECORDING_URL + ".mp3"
    status = {
        "CallSid": call.call_sid,
        "RecordingSid": RECORDING_SID,
        "RecordingUrl": final_url,
        "RecordingStatus": "completed",
        "RecordingDuration": "31",
    }
    for _retry in range(2):
        assert twilio_post("/voice/recording-status", status).status_code == 204
    [request] = rows(db, "requests")
    assert (request["recording_url"], request["recording_duration"]) == (final_url, 31)
    actions = [event["action"] for event in lifecycle.events(db, request["id"])]
    assert actions == ["opened", "recording_ready"]


@pytest.mark.parametrize(
    ("status", "action"), [("in-progress", None), ("absent", "recording_absent")]
)
def test_only_a_lost_recording_is_noted_on_the_message(db, twilio_post, status, action):
    call = Call(twilio_post)
    record(call, duration="30")
    callback = {"CallSid": call.call_sid, "RecordingSid": RECORDING_SID, "RecordingStatus": status}
    assert twilio_post("/voice/recording-status", callback).status_code == 204
    [request] = rows(db, "requests")
    actions = [event["action"] for event in lifecycle.events(db, request["id"])]
    assert actions == ["opened"] + ([action] if action else [])


def test_a_status_callback_before_the_record_action_still_keeps_the_message(db, twilio_post):
    call = Call(twilio_post)
    call.start()
    status = {
        "CallSid": call.call_sid,
        "RecordingSid": RECORDING_SID,
        "RecordingUrl": RECORDING_URL,
        "RecordingStatus": "completed",
        "RecordingDuration": "12",
    }
    assert twilio_post("/voice/recording-status", status).status_code == 204
    record(Call(twilio_post), duration="12")
    [request] = rows(db, "requests")
    assert (request["recording_sid"], request["recording_duration"]) == (RECORDING_SID, 12)


def test_an_empty_recording_says_so_and_hangs_up(db, twilio_post):
    call = Call(twilio_post)
    call.start()
    call.press("0")
    root = call.wait()
    assert call.said == [prompt("message_empty"), prompt("goodbye")]
    assert root[-1].tag == "Hangup"
    assert rows(db, "requests") == []


def test_a_withheld_number_is_told_how_to_reach_staff(db, twilio_post):
    call = Call(twilio_post, phone="anonymous")
    call.start()
    call.press("1")
    assert call.said[0] == prompt("no_number")
    root = call.press("0")
    assert root[-1].tag == "Hangup"
    assert rows(db, "requests") == []


# Call status and call-back mode.


def test_the_call_status_callback_closes_the_call_record(db, twilio_post):
    call = Call(twilio_post)
    call.start()
    response = twilio_post(
        "/voice/status", fields(call.call_sid, MOBILE, CallStatus="completed", CallDuration="42")
    )
    assert response.status_code == 200
    assert ET.fromstring(response.data).tag == "Response"
    row = db["calls"].get(call.call_sid)
    assert row["status"] == "completed"
    assert row["ended_at"]


def test_a_call_back_greets_the_resident_and_books_for_the_number_called(
    db, twilio_post, known_caller
):
    call = Call(
        twilio_post,
        phone="+84000000000",
        Direction="outbound-api",
        To=MOBILE,
    )
    call.start("/voice/incoming?mode=callback")
    assert call.said[0] == "Ủy ban xã Phú Lâm gọi lại ông bà."
    call.press("1")
    call.press("1")
    [request] = rows(db, "requests")
    assert request["resident_id"] == known_caller["id"]
    assert db["calls"].get(call.call_sid)["direction"] == "outbound-callback"
