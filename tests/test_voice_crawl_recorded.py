"""The whole menu walked twice: with every prompt recorded, and with none.

With every prompt recorded (the espeak-ng placeholders, real WAV files), every <Play> URL
answers 200 with audio/wav, and every answer lasts at most 40 s by the recordings' real
lengths plus the estimate of what is still said (the greeting with the main menu 30 s). With
none, nothing is played and every prompt is said: the fallback covers each one.
"""

import itertools
import xml.etree.ElementTree as ET
from collections import deque

import pytest

from app import residents
from app.catalogue import hamlets
from app.prompts import audio as prompt_audio
from app.prompts import catalogue
from db import transaction
from tests.conftest import PUBLIC_BASE_URL
from tests.test_voice import MOBILE, fields, relative
from tests.test_voice_crawl import (
    KEYS,
    MAX_ANSWER_SECONDS,
    MAX_GREETING_SECONDS,
    STATE_LIMIT,
    next_steps,
    spoken_pieces,
    state_of,
)
from voice import lengths as voice_lengths

RECORDING = {
    "RecordingUrl": "https://api.twilio.com/Recordings/RE" + "2" * 32,
    "RecordingSid": "RE" + "2" * 32,
    "RecordingDuration": "9",
}


@pytest.fixture(scope="session")
def placeholder_cache(tmp_path_factory):
    """espeak-ng clips kept across the tests of a run, by voice and words."""
    return tmp_path_factory.mktemp("placeholders")


def walk(client, twilio_post, db, phone):
    """Every answer of the menu graph from a linked mobile caller: [(path, pressed, root, s)]."""
    counter = itertools.count()
    answers, served = [], {}
    pending, seen = deque([("/voice/incoming", "start")]), set()
    while pending:
        path, how = pending.popleft()
        if (state_of(path), how) in seen:
            continue
        seen.add((state_of(path), how))
        assert len(seen) < STATE_LIMIT
        attempts = {"keys": [{"Digits": key} for key in KEYS], "recording": [RECORDING]}
        for extra in attempts.get(how, [{}]):
            response = twilio_post(
                path, fields(f"CA{phone[-1]}{next(counter):031x}", phone, **extra)
            )
            assert response.status_code == 200, (path, extra)
            root = ET.fromstring(response.data)
            for play in root.iter("Play"):
                if play.text not in served:
                    audio = client.get(play.text[len(PUBLIC_BASE_URL) :])
                    served[play.text] = (audio.status_code, audio.mimetype)
                    audio.close()
            seconds = voice_lengths.spoken_seconds(response.data.decode(), db)
            answers.append((path, extra.get("Digits", how), root, seconds))
            pending.extend((relative(url), next_how) for url, next_how in next_steps(root))
    return answers, served


def assert_within_limits(answers):
    for path, pressed, root, seconds in answers:
        limit = MAX_GREETING_SECONDS if path == "/voice/incoming" else MAX_ANSWER_SECONDS
        assert seconds <= limit, (seconds, path, pressed, spoken_pieces(root))


OTHER_MOBILE = MOBILE[:-1] + ("1" if MOBILE[-1] != "1" else "2")


@pytest.fixture
def linked_caller(db):
    """Two callers linked to the first hamlet: one for each walk, neither with a visit yet."""
    with transaction(db):
        for phone in (MOBILE, OTHER_MOBILE):
            residents.find_or_create(db, phone, hamlet_id=hamlets.active(db)[0]["id"])


def played_keys(db, answers):
    """The catalogue keys of every recording the answers played."""
    keys = set()
    for _path, _pressed, root, _seconds in answers:
        for play in root.iter("Play"):
            token = play.text.rsplit("/", 1)[-1].partition(".")[0]
            keys.add(prompt_audio.by_token(db, token)["prompt"])
    return keys


def said_keys(entries, answers):
    """The keys of the fixed prompts and parts whose words the answers say.

    A part whose words are inside another's ("bấm phím 1.") cannot be told apart by its
    words, so it is left out.
    """
    said = " ".join(text for *_, root, _s in answers for _l, _v, text in spoken_pieces(root))
    alone = [e for e in entries if not any(e.text in o.text for o in entries if o.key != e.key)]
    return {entry.key for entry in alone if entry.text in said}


def test_the_menu_walked_without_and_with_every_recording(
    app, db, client, twilio_post, linked_caller, placeholder_cache
):
    with app.app_context():
        fixed = [e for e in catalogue.entries(db, 1, "vi") if e.group in ("prompt", "part")]
        every = len(catalogue.entries(db, 1, "vi")) + len(catalogue.entries(db, 1, "en"))
    # No recording: nothing is played, every answer fits by the estimate, every prompt is said.
    bare, served = walk(client, twilio_post, db, MOBILE)
    assert served == {}
    assert_within_limits(bare)
    heard = said_keys(fixed, bare)
    assert {"greeting", "menu_visit", "visit_known.1", "ref_number.1", "goodbye"} <= heard
    # Every prompt recorded: each <Play> is audio Twilio can fetch, every answer still fits.
    with app.app_context():
        made = prompt_audio.make_placeholders(db, app.config, 1, cache=placeholder_cache)
    assert made == every
    recorded, served = walk(client, twilio_post, db, OTHER_MOBILE)
    assert served and set(served.values()) == {(200, "audio/wav")}
    assert_within_limits(recorded)
    # Each prompt said in the first walk is played in the second: the fallback covered them all.
    assert heard - played_keys(db, recorded) == set()
    assert said_keys(fixed, recorded) == set()
    greeting = next(root for path, _p, root, _s in recorded if path == "/voice/incoming")
    assert list(greeting.iter("Say")) == []
    print(
        f"\n{len(recorded)} answers, {len(served)} recordings played, longest "
        f"{max(s for *_, s in bare):.1f} s said, {max(s for *_, s in recorded):.1f} s recorded"
    )
