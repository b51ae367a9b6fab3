"""A crawler that presses every key on every menu the voice channel can reach.

It proves that no step answers with an error; that every answer keeps the elderly-first rules
(see tests.test_voice.assert_good_twiml); that every answer is short enough to remember (at most
40 s of speech, the greeting with the main menu at most 30 s, measured by app.language.speech at
2.5 syllables a second); that each <Say> is in its own language and voice and no Vietnamese one
holds what a vi-VN voice misreads; that every menu names key 0, the way to a person, and that 0
leads to a message for staff; and that no path can loop forever: every next step's n is one more
than the current one, and at MAX_STEPS no menu is offered any more.
Run with -s to see the longest answer of each menu.
"""

import itertools
import re
import xml.etree.ElementTree as ET
from collections import deque
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest

from app import residents
from app.catalogue import hamlets
from app.language import phones, speech
from app.language.texts import strip_diacritics
from db import transaction
from tests.test_voice import (
    LANDLINE,
    MOBILE,
    assert_good_twiml,
    fields,
    relative,
    step_number,
)
from voice import lengths as voice_lengths
from voice.engine import MAX_STEPS
from voice.prompts import prompt

KEYS = list("0123456789*#")
STATE_LIMIT = 400  # the menu graph is finite; the crawl must finish well inside this
MAX_ANSWER_SECONDS = 40
MAX_GREETING_SECONDS = 30  # the greeting and the main menu together
# Every menu says how to reach a person: key 0, a message staff listen to and call back.
HUMAN_EXIT = {prompt("menu_message", "vi"), prompt("menu_message", "en")}


def menu_of(root):
    """The menu an answer offers (path with placeholders), or a recording, or a goodbye."""
    # Counted where the caller is, not by the step that asked: key 4 on a group is a procedure.
    gather = root.find("Gather")
    if gather is None:
        return "(recording)" if root.find("Record") is not None else "(goodbye)"
    path = urlsplit(gather.get("action")).path
    path = re.sub(r"^/voice/(visit|hamlets|schedule)/\d+$", r"/voice/\1/<id>", path)
    path = re.sub(r"^/voice/guidance/[^/]+$", "/voice/guidance/<code>", path)
    return path


def longest_by_menu(lengths):
    """{menu: (the longest Vietnamese answer, the longest English one)}."""
    longest = {}
    for entry in lengths:
        seconds, step, _pressed, menu, language = entry
        pair = longest.setdefault(menu, [None, None])
        index = int(language == "en")
        if pair[index] is None or seconds > pair[index][0]:
            pair[index] = entry
    return longest


def shown(entry):
    """One longest answer as printed: seconds, then the step and the key that led to it."""
    if entry is None:
        return "-"
    seconds, step, pressed, _menu, _language = entry
    return f"{seconds:4.1f} s  {step} {pressed}"


def spoken_pieces(root):
    """Every <Say> of an answer as (language, voice, text), in the order the caller hears it."""
    return [
        (say.get("language")[:2], say.get("voice"), "".join(say.itertext()).strip())
        for say in root.iter("Say")
    ]


def speech_seconds(root):
    """Seconds of speech in an answer, at the pace app.language.speech measures."""
    return sum(speech.seconds(text, language) for language, _voice, text in spoken_pieces(root))


def assert_well_spoken(root, voices):
    """Each <Say> in its own language's voice; Vietnamese accented, nothing it misreads."""
    for language, voice, text in spoken_pieces(root):
        assert voice == voices[language], (language, voice, text)
        if language == "vi":
            assert speech.misreadings(text) == [], text
            # Unaccented Vietnamese is unintelligible spoken: the tone marks are the words.
            assert strip_diacritics(text) != text, text
        else:
            assert strip_diacritics(text) == text, text


def state_of(url):
    """A step URL without n: the same menu reached at a different depth is the same state."""
    parts = urlsplit(url)
    query = [(key, value) for key, value in parse_qsl(parts.query) if key != "n"]
    return parts.path + ("?" + urlencode(query) if query else "")


def with_step(path, n):
    """PATH with its n parameter set to N."""
    parts = urlsplit(path)
    query = [(key, value) for key, value in parse_qsl(parts.query) if key != "n"]
    return parts.path + "?" + urlencode([*query, ("n", str(n))])


def next_steps(root):
    """The (URL, how Twilio reaches it) pairs an answer leads to."""
    steps = []
    for gather in root.iter("Gather"):
        steps.append((gather.get("action"), "keys"))
    for record in root.iter("Record"):
        steps.append((record.get("action"), "recording"))
    for redirect in root.iter("Redirect"):
        steps.append((redirect.text, "silence"))
    return steps


def crawl(twilio_post, phone, voices, lengths):
    """Walk the menu graph breadth first from the call's start; return the states seen.

    LENGTHS collects (seconds of speech, step, what was pressed) for every answer.
    """
    counter = itertools.count()

    def post(path, **extra):
        call_sid = f"CA{next(counter):032x}"
        response = twilio_post(path, fields(call_sid, phone, **extra))
        assert response.status_code == 200, (path, extra, response.data)
        root = ET.fromstring(response.data)
        assert_good_twiml(root)
        assert_well_spoken(root, voices)
        seconds = speech_seconds(root)
        if root.find("Gather") is not None:
            said = {text for _language, _voice, text in spoken_pieces(root)}
            assert said & HUMAN_EXIT, ("every menu names the way to a person", path, said)
        if extra.get("Digits") == "0" and phones.from_caller_id(phone):
            assert root.find("Record") is not None, ("0 leaves a message for staff", path)
        pressed = extra.get("Digits", "recording" if "RecordingUrl" in extra else "silence")
        if path == "/voice/incoming":
            pressed = "(the call starts)"
        language = next(iter(spoken_pieces(root)), ("vi",))[0]
        lengths.append((seconds, state_of(path), pressed, menu_of(root), language))
        limit = MAX_GREETING_SECONDS if path == "/voice/incoming" else MAX_ANSWER_SECONDS
        assert seconds <= limit, (seconds, path, pressed, spoken_pieces(root))
        return root

    start = "/voice/incoming"
    pending = deque([(start, "start", 0)])
    seen = set()
    while pending:
        path, how, n = pending.popleft()
        if (state_of(path), how) in seen:
            continue
        seen.add((state_of(path), how))
        assert len(seen) < STATE_LIMIT, "the menu graph should be small and finite"
        if how == "keys":
            attempts = [{"Digits": key} for key in KEYS]
        elif how == "recording":
            attempts = [
                {
                    "RecordingUrl": "https://api.twilio.com/Recordings/RE" + "2" * 32,
                    "RecordingSid": "RE" + "2" * 32,
                    "RecordingDuration": "9",
                }
            ]
        else:
            attempts = [{}]
        for extra in attempts:
            root = post(path, **extra)
            for url, next_how in next_steps(root):
                assert step_number(url) == n + 1, "every step must move the count on"
                pending.append((relative(url), next_how, n + 1))
        if how == "keys":
            # However the caller got here, at the step limit the call winds down.
            late = post(with_step(path, MAX_STEPS), Digits="9")
            assert late.find("Gather") is None
            assert late.find("Record") is not None or late[-1].tag == "Hangup"
    return seen


@pytest.mark.parametrize(
    ("phone", "linked", "language"),
    [
        (MOBILE, True, "vi"),
        (MOBILE, False, "vi"),
        (LANDLINE, False, "vi"),
        ("anonymous", False, "vi"),
        (MOBILE, True, "en"),
    ],
)
def test_every_key_on_every_menu_answers_well_and_no_path_loops_forever(
    app, db, twilio_post, phone, linked, language
):
    if linked or language == "en":
        with transaction(db):
            residents.find_or_create(
                db, phone, hamlet_id=hamlets.active(db)[0]["id"], language=language
            )
    voices = {"vi": app.config["TWILIO_VOICE"], "en": app.config["TWILIO_VOICE_EN"]}
    lengths = []
    seen = crawl(twilio_post, phone, voices, lengths)
    paths = {urlsplit(state).path for state, _how in seen}
    assert {"/voice/incoming", "/voice/menu", "/voice/guidance"} <= paths
    if phone != "anonymous":
        assert {"/voice/hamlets", "/voice/record", "/voice/goodbye"} <= paths
        assert any(path.startswith("/voice/schedule/") for path in paths)
        assert sum(path.startswith("/voice/guidance/") for path in paths) == 12
    greeting = max(entry[0] for entry in lengths if entry[1] == "/voice/incoming")
    assert greeting <= MAX_GREETING_SECONDS
    if phone != "anonymous":
        # The check an admin's catalogue edit goes through measures what the crawler heard.
        with app.test_request_context():
            measured = voice_lengths.procedure_answers(db)
        for spoken in ("vi", "en"):
            heard = [e[0] for e in lengths if e[3].startswith("/voice/guidance") and e[4] == spoken]
            longest = max(seconds for _what, lang, seconds in measured if lang == spoken)
            assert max(heard) == pytest.approx(longest)
    print(f"\n{phone} {'linked' if linked else 'unlinked'} {language}: {len(lengths)} answers,")
    print(f"  greeting and main menu {greeting:.1f} s; the longest answer of each menu:")
    for menu, pair in sorted(longest_by_menu(lengths).items()):
        for entry in filter(None, pair):
            print(f"  {menu:<24} {entry[4]}  {shown(entry)}")


@pytest.mark.parametrize("language", ["vi", "en"])
def test_a_call_back_greeting_with_its_menu_also_fits_in_30_seconds(app, db, twilio_post, language):
    with transaction(db):
        residents.find_or_create(db, MOBILE, language=language)
    response = twilio_post(
        "/voice/incoming?mode=callback",
        fields("CA" + "d" * 32, "+84000000000", Direction="outbound-api", To=MOBILE),
    )
    root = ET.fromstring(response.data)
    assert_well_spoken(
        root, {"vi": app.config["TWILIO_VOICE"], "en": app.config["TWILIO_VOICE_EN"]}
    )
    assert spoken_pieces(root)[0][0] == language
    assert speech_seconds(root) <= MAX_GREETING_SECONDS


def test_the_longest_confirmation_an_old_letter_code_can_make_still_fits_in_40_seconds(
    app, db, twilio_post
):
    longest = max(hamlets.active(db), key=lambda row: speech.seconds(row["name"]))
    with transaction(db):
        residents.find_or_create(db, MOBILE, hamlet_id=longest["id"])
    first = "CA" + "e" * 32
    for path, digits in (("/voice/incoming", None), ("/voice/menu?n=1", "1")):
        twilio_post(path, fields(first, MOBILE, digits))
    booked = ET.fromstring(twilio_post("/voice/visit?n=2", fields(first, MOBILE, "1")).data)
    [request] = db["requests"].rows
    with transaction(db):
        # Five letters with two-syllable Vietnamese names, from the old code alphabet.
        db["requests"].update(request["id"], {"ref": "MNRXY"})
    again = "CA" + "f" * 32
    twilio_post("/voice/incoming", fields(again, MOBILE))
    root = ET.fromstring(twilio_post("/voice/menu?n=1", fields(again, MOBILE, "1")).data)
    assert "em mờ" in " ".join(text for _language, _voice, text in spoken_pieces(root))
    assert speech_seconds(root) > speech_seconds(booked)
    print(f"\nlongest confirmation, old code MNRXY: {speech_seconds(root):.1f} s")
    assert speech_seconds(root) <= MAX_ANSWER_SECONDS, speech_seconds(root)
