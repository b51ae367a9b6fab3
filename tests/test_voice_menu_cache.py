"""Rendered voice menus are kept per process: the same TwiML, never stale, never another's."""

import pytest
import time_machine

from app import communes
from app.catalogue import guidance, hamlets
from app.seed.demo_commune import DEMO_TWILIO_NUMBER, ensure_demo_commune
from app.seed.loader import seed
from db import cache, transaction
from tests.conftest import DAY_HOUR
from tests.test_voice import MOBILE, Call
from tests.test_voice_prompts import GREETING, plays, run_worker, tone_wav, upload
from voice import engine, menu_cache
from voice.menu import hamlet_menu, main_menu
from voice.procedure_menus import guidance_menu

OTHER_CALLER = "+84912000222"


@pytest.fixture(autouse=True)
def day_hour():
    """A Monday at 10:00 local."""
    with time_machine.travel(DAY_HOUR, tick=False):
        yield


def call(twilio_post, sid, phone=MOBILE, **extra):
    """A new call from PHONE, answered with its greeting and main menu."""
    placed = Call(twilio_post, phone=phone, call_sid="CA" + sid * 32, **extra)
    placed.start()
    return placed


def kept(app):
    with app.app_context():
        return menu_cache.kept()


def test_a_kept_menu_is_the_twiml_it_would_have_been_rendered_afresh(app, db, twilio_post):
    first = call(twilio_post, "1")
    first.press("1")  # a new caller is asked for the hamlet
    second = call(twilio_post, "2", phone=OTHER_CALLER)
    second.press("1")
    assert kept(app).hits >= 2
    with app.test_request_context("/voice/incoming"), communes.bound(communes.by_id(db, 1)):
        turn = engine.Turn(db, "CA" + "3" * 32, MOBILE, home=main_menu)
        for menu in (main_menu(turn, greet=True), hamlet_menu(turn, "visit")):
            kept_twiml = str(engine.show(turn, menu))
            menu.cache = None  # rendered afresh, as before menus were kept
            assert kept_twiml == str(engine.show(turn, menu))
            assert kept_twiml == str(engine.show(turn, menu, intro=True))
    assert second.raw == first.raw


def test_an_edited_prompt_is_said_by_the_next_call(app, db, admin_client, twilio_post):
    assert call(twilio_post, "1").hears(GREETING)
    edited = admin_client.post(
        "/prompts/greeting/text?lang=vi", data={"text": "Xã Phú Lâm chào ông bà."}
    )
    assert edited.status_code == 302
    again = call(twilio_post, "2")
    assert again.hears("Xã Phú Lâm chào ông bà.") and not again.hears(GREETING)


def test_a_new_recording_is_played_by_the_next_call(app, db, admin_client, twilio_post):
    assert plays(call(twilio_post, "1").twiml) == []
    upload(admin_client, "greeting", tone_wav())
    assert plays(call(twilio_post, "2").twiml) == []  # still converting: nothing to play
    run_worker(app, db)
    [url] = plays(call(twilio_post, "3").twiml)
    assert url.endswith(".wav")
    assert admin_client.post("/prompts/greeting/delete?lang=vi").status_code == 302
    assert plays(call(twilio_post, "4").twiml) == []


def test_a_renamed_hamlet_is_said_by_the_next_call(db, twilio_post):
    asked = call(twilio_post, "1")
    asked.press("1")
    assert asked.hears("Ấp Long Hòa 1, bấm phím 3.")
    hamlet = next(row for row in hamlets.active(db) if row["name"] == "Long Hòa 1")
    with transaction(db):
        db["hamlets"].update(hamlet["id"], {"name": "Long Hòa Một"})
    again = call(twilio_post, "2")
    again.press("1")
    assert again.hears("Ấp Long Hòa Một, bấm phím 3.") and not again.hears("Long Hòa 1")


def test_another_commune_never_hears_the_menu_kept_for_one(app, db, admin_client, twilio_post):
    with db.conn:
        other = ensure_demo_commune(db)
    seed(db, commune=other)
    admin_client.post("/prompts/greeting/text?lang=vi", data={"text": "Phú Lâm chào ông bà."})
    first = call(twilio_post, "1")
    assert first.hears("Phú Lâm chào ông bà.")
    first.press("1")
    assert first.hears("Ấp Long Hòa 1, bấm phím 3.")
    # The second call to the other commune would be answered from what the first one kept.
    for sid in "23":
        placed = call(twilio_post, sid, To=DEMO_TWILIO_NUMBER, Called=DEMO_TWILIO_NUMBER)
        assert placed.hears("Phú Thạnh") and not placed.hears("Phú Lâm")
        placed.press("1")
        assert placed.hears("Ấp Phú Thạnh 1, bấm phím 1.")
        assert not placed.hears("Long Hòa") and not placed.hears("xã cũ")
    assert kept(app).hits >= 2


def test_no_classifier_or_catalogue_of_words_loads_on_the_voice_path(app, db, twilio_post):
    placed = call(twilio_post, "1")
    placed.press("2")  # the procedures
    placed.press("1")
    names = {key[1] for key in cache._entries if key[0] == db.file_path}
    assert names and not {"sms.model", "sms.understanding", "sms.vocabulary"} & names


def test_a_menu_measured_for_another_commune_is_never_kept_for_the_first(app, db, twilio_post):
    with db.conn:
        other = ensure_demo_commune(db)
    seed(db, commune=other)
    with communes.bound(other), transaction(db):
        birth = dict(guidance.get(db, "KHAISINH"), spoken_name="Khai sinh của Phú Thạnh")
        guidance.save_override(db, other, "KHAISINH", birth)
    # The console measures a commune's answers with a turn that names no commune.
    with app.test_request_context("/catalogue/KHAISINH"), communes.bound(other):
        measuring = engine.Turn(db, "CA" + "4" * 32, MOBILE, home=main_menu)
        shown = str(engine.show(measuring, guidance_menu(measuring, 0)))
        assert "Khai sinh của Phú Thạnh" in shown
    placed = call(twilio_post, "5")
    placed.press("2")  # the procedures of the first commune
    assert placed.hears("bấm phím 1") and not placed.hears("Phú Thạnh")
