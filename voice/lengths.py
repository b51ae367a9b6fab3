"""How long the phone's answers about procedures are, measured as tests/test_voice_crawl.py does.

Admins edit the spoken names and summaries the procedure menus say. An edit is measured by
rendering the real answers from the catalogue as it would be, so no answer grows past
MAX_ANSWER_SECONDS however the catalogue changes: the procedure's own answer, and the group
menu that lists it with the other procedures of its group. The voice blueprint hands too_long
to the app when it is registered, and the console asks through guidance.answers_too_long
without importing this channel.
"""

import xml.etree.ElementTree as ET

from app.catalogue import guidance
from app.catalogue.guidance import procedure_pages
from app.language import speech
from app.prompts import audio as prompt_audio
from voice.engine import SAY_LANGUAGES, Turn, show
from voice.menu import main_menu
from voice.procedure_menus import guidance_menu, procedure_menu

MAX_ANSWER_SECONDS = guidance.MAX_ANSWER_SECONDS
# A caller with a mobile number hears every offer, so the measure is of the longest answers.
MEASURING_CALL, MEASURING_PHONE = "CA" + "0" * 32, "+84912345678"
RE_PROMPTS = ("no_input", "invalid_key")  # said before the options when they are repeated


def spoken_seconds(response, db=None):
    """Seconds an answer lasts: its <Say> at the phone's pace, with DB its recordings' own."""
    root = ET.fromstring(str(response))
    said = sum(
        speech.seconds("".join(say.itertext()).strip(), say.get("language", "vi")[:2])
        for say in root.iter("Say")
    )
    if db is None:
        return said
    return said + sum(prompt_audio.played_seconds(db, play.text) for play in root.iter("Play"))


def longest_showing(turn, menu, before=RE_PROMPTS):
    """Seconds of the longest way MENU is said: in full, or repeated after one of BEFORE."""
    answers = [show(turn, menu)]
    answers += [show(turn, menu, before=[key], intro=False) for key in before]
    return max(spoken_seconds(answer, turn.db) for answer in answers)


def procedure_answers(db, code=None):
    """[(what, language, seconds)] for every group menu and every active procedure's answer.

    WHAT is ("group", its first procedure's code) or ("procedure", its code). With CODE only
    what an edit of that procedure can change: its own answer and its group's menu (groups
    follow the menu numbers, which an edit of the texts does not move). Needs a request
    context: the answers hold absolute URLs.
    """
    measured = []
    pages = procedure_pages(guidance.all_procedures(db))
    for language in SAY_LANGUAGES:
        turn = Turn(db, MEASURING_CALL, MEASURING_PHONE, lang=language, home=main_menu)
        for index, page in enumerate(pages):
            if code is not None and all(item["code"] != code for item in page):
                continue
            seconds = longest_showing(turn, guidance_menu(turn, index))
            measured.append((("group", page[0]["code"]), language, seconds))
            for procedure in page:
                if code is not None and procedure["code"] != code:
                    continue
                menu = procedure_menu(turn, procedure)
                seconds = longest_showing(turn, menu, (*RE_PROMPTS, "sms_sent"))
                measured.append((("procedure", procedure["code"]), language, seconds))
    return measured


def too_long(db, code=None):
    """The answers (CODE's only, if given) over MAX_ANSWER_SECONDS, longest first."""
    over = [entry for entry in procedure_answers(db, code) if entry[2] > MAX_ANSWER_SECONDS]
    return sorted(over, key=lambda entry: -entry[2])
