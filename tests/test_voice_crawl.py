"""A crawler that presses every key on every menu the voice channel can reach.

It proves three things: no step answers with an error, every answer keeps the elderly-first
rules (see tests.test_voice.assert_good_twiml), and no path can loop forever: every next
step's n is one more than the current one, and at MAX_STEPS no menu is offered any more.
"""

import itertools
import xml.etree.ElementTree as ET
from collections import deque
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest

from app import hamlets, residents
from db import transaction
from tests.test_voice import (
    LANDLINE,
    MOBILE,
    assert_good_twiml,
    fields,
    relative,
    step_number,
)
from voice.engine import MAX_STEPS

KEYS = list("0123456789*#")
STATE_LIMIT = 400  # the menu graph is finite; the crawl must finish well inside this


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


def crawl(twilio_post, phone, language):
    """Walk the menu graph breadth first from the call's start; return the states seen."""
    counter = itertools.count()

    def post(path, **extra):
        call_sid = f"CA{next(counter):032x}"
        response = twilio_post(path, fields(call_sid, phone, **extra))
        assert response.status_code == 200, (path, extra, response.data)
        root = ET.fromstring(response.data)
        # One language per answer: the one its links carry on (key 8 switches it).
        urls = [url for url, _how in next_steps(root)] or [path]
        english = "lang=en" in urls[0] or (path == "/voice/incoming" and language == "en")
        assert_good_twiml(root, ("en-US",) if english else ("vi-VN",))
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
    db, twilio_post, phone, linked, language
):
    if linked or language == "en":
        with transaction(db):
            residents.find_or_create(
                db, phone, hamlet_id=hamlets.active(db)[0]["id"], language=language
            )
    seen = crawl(twilio_post, phone, language)
    paths = {urlsplit(state).path for state, _how in seen}
    assert {"/voice/incoming", "/voice/menu", "/voice/guidance"} <= paths
    if phone != "anonymous":
        assert {"/voice/hamlets", "/voice/record", "/voice/goodbye"} <= paths
        assert any(path.startswith("/voice/schedule/") for path in paths)
        assert sum(path.startswith("/voice/guidance/") for path in paths) == 12
