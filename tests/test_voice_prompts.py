"""Prompts recorded by the commune's staff: uploaded, converted by the worker, played by token."""

import io
import math
import struct
import wave
import xml.etree.ElementTree as ET

import pytest

from app import communes, residents
from app.accounts import audit
from app.catalogue import hamlets
from app.infra import tenant
from app.prompts import audio as prompt_audio
from app.prompts import catalogue
from db import transaction
from tests.conftest import PUBLIC_BASE_URL
from tests.test_voice import MOBILE, Call, fields

GREETING = "Ủy ban xã Phú Lâm xin chào."


def tone_wav(seconds=1.0, silence=0.8, rate=16000, loud=0.3):
    """A WAV of a tone with SILENCE seconds of quiet at both ends, as a phone might record."""
    frames = []
    total = int(rate * (seconds + 2 * silence))
    for n in range(total):
        t = n / rate
        on = silence <= t < silence + seconds
        frames.append(int(loud * 32767 * math.sin(2 * math.pi * 440 * t)) if on else 0)
    out = io.BytesIO()
    with wave.open(out, "wb") as audio:
        audio.setnchannels(2)
        audio.setsampwidth(2)
        audio.setframerate(rate)
        audio.writeframes(b"".join(struct.pack("<hh", f, f) for f in frames))
    return out.getvalue()


def upload(client, key, data, lang="vi", name="take.wav"):
    """Post a recording the way the page's upload form does."""
    return client.post(
        f"/prompts/{key}/recording?lang={lang}",
        data={"audio": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def run_worker(app, db):
    """One pass of the worker's conversion job, with no commune bound, as the worker runs it."""
    with app.app_context(), tenant.unbound():
        return prompt_audio.convert_pending(
            db, app.config, app.extensions.get("prompt_length_checks", ())
        )


def plays(root):
    return [play.text for play in root.iter("Play")]


def says(root):
    return [" ".join("".join(say.itertext()).split()) for say in root.iter("Say")]


def test_the_page_lists_every_prompt_with_its_words_and_state(db, staff_client):
    page = staff_client.get("/prompts").get_data(as_text=True)
    for entry in catalogue.entries(db, 1, "vi"):
        assert f'data-key="{entry.key}"' in page
    assert GREETING in page and "Cán bộ xã sẽ đến nhà ông bà, ở ấp" in page
    missing = '<span class="badge state-missing">chưa có bản ghi</span>'
    assert page.count(missing) == len(catalogue.entries(db, 1, "vi"))
    assert 'name="audio"' not in page  # staff may listen, not change


def test_an_officer_records_the_greeting_and_the_call_plays_it(app, db, admin_client, client):
    response = upload(admin_client, "greeting", tone_wav())
    assert response.status_code == 302
    [row] = db["prompt_recordings"].rows
    assert row["status"] == "pending" and row["path"] is None  # the web worker converts nothing
    assert run_worker(app, db) == {"kept": 1, "refused": 0}
    [row] = db["prompt_recordings"].rows
    assert row["status"] == "ready" and row["text"] == GREETING
    with wave.open(row["path"], "rb") as audio:
        assert (audio.getframerate(), audio.getnchannels(), audio.getsampwidth()) == (8000, 1, 2)
    # The silence at both ends is cut: about the tone's one second is left.
    assert 0.8 <= row["duration_ms"] / 1000 <= 1.3
    root = Call(lambda path, params: _post(client, path, params)).start()
    [url] = plays(root)
    assert url.startswith(PUBLIC_BASE_URL + "/voice/audio/") and url.endswith(".wav")
    assert GREETING not in " ".join(says(root))
    served = client.get(url[len(PUBLIC_BASE_URL) :])
    assert served.status_code == 200 and served.mimetype == "audio/wav"
    assert "public" in served.headers["Cache-Control"] and served.headers["ETag"]
    again = client.get(
        url[len(PUBLIC_BASE_URL) :], headers={"If-None-Match": served.headers["ETag"]}
    )
    assert again.status_code == 304
    actions = [entry["action"] for entry in audit.recent(db)]
    assert {"prompt_recording_uploaded", "prompt_recording_saved"} <= set(actions)


def _post(client, path, params):
    from tests.conftest import twilio_signature

    signature = twilio_signature(PUBLIC_BASE_URL + path, params)
    return client.post(path, data=params, headers={"X-Twilio-Signature": signature})


def test_after_the_greeting_is_edited_the_call_says_it_and_the_recording_is_stale(
    app, db, admin_client, client
):
    upload(admin_client, "greeting", tone_wav())
    run_worker(app, db)
    edited = admin_client.post(
        "/prompts/greeting/text?lang=vi", data={"text": "Xã Phú Lâm chào ông bà."}
    )
    assert edited.status_code == 302
    root = Call(lambda path, params: _post(client, path, params)).start()
    assert plays(root) == []
    assert "Xã Phú Lâm chào ông bà." in says(root)
    page = admin_client.get("/prompts?state=stale").get_data(as_text=True)
    assert 'id="prompt-greeting"' in page


@pytest.mark.parametrize(
    ("data", "name", "status", "words"),
    [
        (b"hello, this is text", "notes.txt", 415, "không phải âm thanh"),
        (b"RIFF" + b"\0" * 4 + b"WAVE" + b"\0" * (2 * 1024 * 1024 + 1024), "big.wav", 413, "2 MB"),
    ],
)
def test_a_file_that_is_not_audio_or_too_big_is_refused_with_a_clear_message(
    db, admin_client, data, name, status, words
):
    response = upload(admin_client, "greeting", data, name=name)
    assert response.status_code == status
    assert words in response.get_data(as_text=True)
    assert list(db["prompt_recordings"].rows) == []


def test_a_recording_longer_than_the_prompts_budget_is_refused_by_the_worker(app, db, admin_client):
    entry = catalogue.entry(db, 1, "goodbye", "vi")
    upload(admin_client, "goodbye", tone_wav(seconds=entry.budget + 2, silence=0.2))
    assert run_worker(app, db) == {"kept": 0, "refused": 1}
    [row] = db["prompt_recordings"].rows
    assert (row["status"], row["error"]) == ("refused", "budget")
    page = admin_client.get("/prompts").get_data(as_text=True)
    assert "quá thời lượng" in page or "budget" in page


def test_a_greeting_that_would_make_the_greeting_and_menu_pass_30_seconds_is_refused(
    app, db, admin_client
):
    upload(admin_client, "greeting", tone_wav(seconds=25, silence=0.2, rate=8000))
    run_worker(app, db)
    [row] = db["prompt_recordings"].rows
    assert (row["status"], row["error"]) == ("refused", "greeting")


def test_staff_may_listen_but_not_change(staff_client, db):
    assert upload(staff_client, "greeting", tone_wav()).status_code == 403
    assert staff_client.post("/prompts/greeting/text", data={"text": "x"}).status_code == 403
    assert staff_client.post("/prompts/greeting/delete").status_code == 403
    assert list(db["prompt_recordings"].rows) == []


def test_an_unknown_or_unready_token_is_not_found(app, db, admin_client, client):
    upload(admin_client, "greeting", tone_wav())
    [row] = db["prompt_recordings"].rows
    assert client.get(f"/voice/audio/{row['token']}.wav").status_code == 404  # still pending
    run_worker(app, db)
    assert client.get(f"/voice/audio/{row['token']}.mp3").status_code == 404
    assert client.get("/voice/audio/" + "A" * 24 + ".wav").status_code == 404


def test_a_changing_part_is_played_from_recorded_pieces_or_said_between_recordings(
    app, db, admin_client, client
):
    hamlet = hamlets.active(db)[0]
    with transaction(db):
        residents.find_or_create(db, MOBILE, hamlet_id=hamlet["id"])
    upload(admin_client, "visit_known.1", tone_wav())
    run_worker(app, db)
    call = Call(lambda path, params: _post(client, path, params))
    call.start()
    root = call.press("1")
    assert len(plays(root)) == 1
    assert hamlet["name"] + "." in says(root)  # the name is said after the recorded words
    upload(admin_client, f"hamlet.{hamlet['code']}", tone_wav())
    run_worker(app, db)
    call = Call(lambda path, params: _post(client, path, params), call_sid="CA" + "b" * 32)
    call.start()
    root = call.press("1")
    assert len(plays(root)) == 2
    assert not any(hamlet["name"] in text for text in says(root))


def test_a_commune_without_its_own_recording_plays_the_provinces(app, db, admin_client, client):
    upload(admin_client, "no_otp", tone_wav())
    run_worker(app, db)
    with transaction(db):
        db.execute("UPDATE prompt_recordings SET commune_id = NULL")
    root = Call(lambda path, params: _post(client, path, params)).start()
    assert len(plays(root)) == 1
    assert catalogue.entry(db, 1, "no_otp", "vi").text not in says(root)


def test_one_communes_recording_is_never_played_for_another(app, db, admin_client):
    upload(admin_client, "no_otp", tone_wav())
    run_worker(app, db)
    with transaction(db):
        other = communes.create(db, "PHULONG", "Xã Phú Long")
    entry = catalogue.entry(db, other.id, "no_otp", "vi")
    assert prompt_audio.current(prompt_audio.recordings(db, other.id, "vi"), entry) is None
    assert catalogue.entry(db, other.id, "greeting", "vi").text == "Ủy ban xã Phú Long xin chào."
    with transaction(db):
        db.execute("UPDATE prompt_recordings SET commune_id = NULL")
    assert prompt_audio.current(prompt_audio.recordings(db, other.id, "vi"), entry)


def test_deleting_a_recording_brings_the_words_back(app, db, admin_client, client):
    upload(admin_client, "greeting", tone_wav())
    run_worker(app, db)
    assert admin_client.post("/prompts/greeting/delete?lang=vi").status_code == 302
    root = Call(lambda path, params: _post(client, path, params)).start()
    assert plays(root) == [] and GREETING in says(root)
    assert admin_client.post("/prompts/greeting/delete?lang=vi").status_code == 404


def test_placeholders_fill_every_missing_prompt_and_coverage_counts_them(app, runner, db):
    result = runner.invoke(args=["voice", "coverage"])
    assert result.exit_code == 0, result.output
    assert "recorded 0" in result.output and "placeholder 0" in result.output
    result = runner.invoke(args=["voice", "placeholders"])
    assert result.exit_code == 0, result.output
    assert "vi-vn-x-south" in result.output
    result = runner.invoke(args=["voice", "coverage"])
    for line in result.output.splitlines():
        assert "missing 0" in line and "stale 0" in line, line
    placeholders = list(db["prompt_recordings"].rows_where("placeholder = 1"))
    assert placeholders and all(row["status"] == "ready" for row in placeholders)
    assert runner.invoke(args=["voice", "placeholders"]).output.startswith("PHULAM: 0 ")


def test_the_page_says_plainly_that_placeholders_are_synthetic(app, db, staff_client):
    with app.app_context():
        prompt_audio.make_placeholders(db, app.config, 1)
    page = staff_client.get("/prompts").get_data(as_text=True)
    assert "espeak-ng" in page and "giọng máy" in page


def test_numbers_are_read_as_vietnamese_says_them():
    words = [catalogue.vi_number(n) for n in (1, 10, 14, 15, 21, 24, 25, 31)]
    assert words == [
        "một",
        "mười",
        "mười bốn",
        "mười lăm",
        "hai mươi mốt",
        "hai mươi tư",
        "hai mươi lăm",
        "ba mươi mốt",
    ]


def test_the_twiml_with_recordings_is_well_formed(app, db, admin_client, client):
    upload(admin_client, "greeting", tone_wav())
    run_worker(app, db)
    response = _post(client, "/voice/incoming", fields("CA" + "c" * 32, MOBILE))
    root = ET.fromstring(response.data)
    assert root.find("Gather/Play") is not None
