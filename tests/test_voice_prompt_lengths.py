"""A recording is kept only if every answer that plays it stays within 40 s, measured."""

import itertools
import secrets

from app.language import speech
from app.prompts import catalogue
from db import transaction
from tests.test_voice import MOBILE, fields
from tests.test_voice_prompts import run_worker, tone_wav, upload
from voice import lengths as voice_lengths

KEY = "choose_hamlet"  # said first in every list of hamlets
GROUP = "/voice/hamlets/1?for=visit"  # the first group of hamlets: the longest list
CALLS = itertools.count()  # a call answers a step it was asked before as it did then


def record_the_others(db, factor):
    """A current recording of every other Vietnamese prompt, FACTOR times its estimate."""
    with transaction(db):
        db["prompt_recordings"].delete_where()
        for entry in catalogue.entries(db, 1, "vi"):
            if entry.key == KEY:
                continue
            seconds = entry.estimate * factor
            assert seconds <= entry.budget  # each one passes its own budget
            row = {"commune_id": 1, "prompt": entry.key, "language": "vi", "text": entry.text}
            row |= {"text_hash": entry.text_hash, "token": secrets.token_urlsafe(18)}
            row |= {"status": "ready", "duration_ms": round(seconds * 1000), "created_at": "x"}
            db["prompt_recordings"].insert(row)


def rest_of_the_group_menu(db, twilio_post):
    """Seconds the group menu lasts without KEY's words, the longest way it is said."""
    said = speech.seconds(catalogue.entry(db, 1, KEY, "vi").text, "vi")
    longest = 0.0
    for digits in ("9", None, "#"):
        answer = twilio_post(GROUP, fields(f"CA{next(CALLS):032d}", MOBILE, digits))
        assert answer.status_code == 200 and KEY not in answer.get_data(as_text=True)
        longest = max(longest, voice_lengths.spoken_seconds(answer.data.decode(), db))
    return longest - said


def test_a_recording_within_its_budget_that_pushes_an_answer_past_40_s_is_refused(
    app, db, admin_client, twilio_post
):
    budget = catalogue.entry(db, 1, KEY, "vi").budget
    # The others, scaled so that with KEY at its full budget the group menu lasts 41 s.
    record_the_others(db, 1.0)
    factor = (voice_lengths.MAX_ANSWER_SECONDS - budget + 1.0) / rest_of_the_group_menu(
        db, twilio_post
    )
    assert factor <= 1.0
    record_the_others(db, factor)
    rest = rest_of_the_group_menu(db, twilio_post)
    over = voice_lengths.MAX_ANSWER_SECONDS - rest + 0.7  # still 0.3 s inside its budget
    assert over <= budget
    upload(admin_client, KEY, tone_wav(seconds=over, silence=0.2, rate=8000))
    assert run_worker(app, db) == {"kept": 0, "refused": 1}
    [row] = db.query("SELECT * FROM prompt_recordings WHERE prompt = ?", [KEY])
    assert (row["status"], row["error"]) == ("refused", "answer")
    assert row["duration_ms"] / 1000 <= budget
    page = admin_client.get("/prompts").get_data(as_text=True)
    assert "40 giây" in page
    # Just under: the same menu with it stays within 40 s, and it is kept.
    under = voice_lengths.MAX_ANSWER_SECONDS - rest - 0.7
    upload(admin_client, KEY, tone_wav(seconds=under, silence=0.2, rate=8000))
    assert run_worker(app, db) == {"kept": 1, "refused": 0}
    ready = "SELECT * FROM prompt_recordings WHERE prompt = ? AND status = 'ready'"
    [kept] = db.query(ready, [KEY])
    answer = twilio_post(GROUP, fields(f"CA{next(CALLS):032d}", MOBILE, "9"))
    assert kept["token"] in answer.get_data(as_text=True)
    assert voice_lengths.spoken_seconds(answer.data.decode(), db) <= 40
