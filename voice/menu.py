"""The voice menu as data: each menu says its options, maps keys to actions, and handles silence.

Elderly-first rules live here, once, for every menu:
- every <Gather> waits GATHER_TIMEOUT seconds and is followed by a <Redirect>, the no-input
  path; the first silence repeats the options, the second leaves the menu (to the voice
  message, or to a goodbye once the caller already has what they came for);
- a key that is not on the list is named as such and the options are repeated;
- every URL carries n, the count of steps so far, which only grows; past MAX_STEPS the call
  is wound down to the voice message, so no path can loop forever;
- every answer ends in a <Redirect>, a <Record> or a <Hangup>, so a call never goes silent.
"""

import math
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

from flask import current_app, url_for
from twilio.twiml.voice_response import VoiceResponse

from app import clock, guidance, hamlets, phones, residents, trips
from app import requests as queue
from app.texts import spoken_day, strip_diacritics
from voice import actions, calls
from voice.prompts import (
    DEFAULT_SPOKEN_COMMUNE,
    KEY_BACK,
    KEY_BOOK,
    KEY_CONFIRM,
    KEY_GUIDANCE,
    KEY_LANGUAGE,
    KEY_MESSAGE,
    KEY_MORE_PROCEDURES,
    KEY_OTHER_HAMLET,
    KEY_REPEAT,
    KEY_SCHEDULE,
    KEY_SEND_SMS,
    KEY_VISIT,
    SESSIONS,
    prompt,
    spell_ref,
)

GATHER_TIMEOUT = 10  # seconds; elderly callers need time to find the key
RECORD_MAX_SECONDS = 120
RECORD_SILENCE_SECONDS = 10  # a pause to think does not end the message
MAX_SILENCES = 2  # the second no-input leaves the menu
MAX_STEPS = 24  # a normal call needs fewer than 10
HAMLET_CHOICES = 8  # keys 1-8; 9 stays "repeat" everywhere
PROCEDURE_CHOICES = 5
SPEECH_RATE = "slow"
SAY_LANGUAGES = {"vi": "vi-VN", "en": "en-US"}
DEFAULT_EN_VOICE = "Google.en-US-Standard-C"
RECORDING_EXTENSIONS = ("mp3", "wav")
PURPOSES = ("visit", "schedule")


@dataclass
class Turn:
    """One step of a call: who is calling, in which language, and how many steps so far."""

    db: object
    call_sid: str
    phone: str | None  # E.164, or None when the number is withheld or unusable
    lang: str = "vi"
    step: int = 0
    mode: str = "inbound"  # inbound | callback

    def url(self, endpoint, **params):
        """Absolute URL of a next step, carrying the language and the grown step count."""
        params = {key: value for key, value in params.items() if value is not None}
        if self.lang != "vi":
            params["lang"] = self.lang
        params["n"] = self.step + 1
        return current_app.config["PUBLIC_BASE_URL"] + url_for(endpoint, **params)

    @cached_property
    def resident(self):
        """The caller's resident record, if the number is known."""
        return residents.by_phone(self.db, self.phone) if self.phone else None

    def name(self, text):
        """A place or procedure name as this call's voice can say it."""
        return text if self.lang == "vi" else strip_diacritics(text)


def voice_for(lang):
    """Return the configured text-to-speech voice for a language."""
    if lang == "en":
        return current_app.config.get("TWILIO_VOICE_EN") or DEFAULT_EN_VOICE
    return current_app.config["TWILIO_VOICE"]


# Folder -> (its mtime, the file names in it). One stat per prompt instead of a lookup per
# prompt and extension; a recording added or removed changes the folder's mtime.
_recordings = {}
# A folder changed this recently may change again within its mtime's granularity unseen.
SETTLED_NS = 2_000_000_000


def recorded_files(folder):
    """Return the names of the files in FOLDER (empty when it does not exist)."""
    try:
        stamp = os.stat(folder).st_mtime_ns
    except OSError:
        return frozenset()
    entry = _recordings.get(folder)
    if entry is not None and entry[0] == stamp:
        return entry[1]
    names = frozenset(item.name for item in os.scandir(folder) if item.is_file())
    if time.time_ns() - stamp > SETTLED_NS:
        _recordings[folder] = (stamp, names)
    return names


def recorded_prompt_url(key, lang):
    """Return the URL of the commune's recording of prompt KEY, if there is one."""
    names = recorded_files(os.path.join(current_app.static_folder, "prompts", lang))
    for extension in RECORDING_EXTENSIONS:
        if f"{key}.{extension}" in names:
            path = url_for("static", filename=f"prompts/{lang}/{key}.{extension}")
            return current_app.config["PUBLIC_BASE_URL"] + path
    return None


def speak(container, turn, text):
    """Say TEXT slowly in the call's language and voice."""
    say = container.say(language=SAY_LANGUAGES[turn.lang], voice=voice_for(turn.lang))
    say.prosody(text, rate=SPEECH_RATE)


def say(container, turn, name, /, **values):
    """Speak prompt NAME: the commune's recording when one exists, else text-to-speech."""
    url = recorded_prompt_url(name, turn.lang)
    if url:
        container.play(url)
    else:
        speak(container, turn, prompt(name, turn.lang, **values))


def commune_spoken(turn):
    """Return the commune's name as the voice should say it (accented in Vietnamese)."""
    config = current_app.config
    name = config.get("COMMUNE_NAME_SPOKEN") or config["COMMUNE_NAME"]
    # COMMUNE_NAME is the unaccented SMS prefix; a vi-VN voice needs the tone marks back.
    if name == strip_diacritics(DEFAULT_SPOKEN_COMMUNE):
        name = DEFAULT_SPOKEN_COMMUNE
    return turn.name(name)


@dataclass
class Menu:
    """A keypad menu: its options, its key table, and where silence leads."""

    endpoint: str
    options: Callable  # (container) -> None; said every time the menu is shown
    keys: dict = field(default_factory=dict)  # key -> () -> VoiceResponse
    intro: Callable | None = None  # said on entry and on "repeat", not on re-prompts
    params: dict = field(default_factory=dict)
    on_silence: str = "message"  # message | goodbye


def show(turn, menu, *, before=(), intro=True, silence=0):
    """Render MENU: a <Gather> holding the words, then the no-input <Redirect>."""
    response = VoiceResponse()
    gather = response.gather(
        action=turn.url(menu.endpoint, **menu.params),
        method="POST",
        input="dtmf",
        num_digits=1,
        timeout=GATHER_TIMEOUT,
        finish_on_key="",  # "#" is a key like the others, not a submit button
    )
    for key in before:
        say(gather, turn, key)
    if intro and menu.intro:
        menu.intro(gather)
    menu.options(gather)
    response.redirect(turn.url(menu.endpoint, silence=silence + 1, **menu.params), method="POST")
    return response


def answer(turn, menu, digits, silence=0):
    """Act on a key press in MENU, or on its silence (DIGITS None)."""
    if turn.step >= MAX_STEPS:
        return leave_message(turn, reason="long_call_to_message")
    if digits is None:
        if silence >= MAX_SILENCES:
            if menu.on_silence == "goodbye":
                return goodbye(turn)
            return leave_message(turn, reason="silence_to_message")
        return show(turn, menu, before=["no_input"], intro=False, silence=silence)
    action = menu.keys.get(digits)
    if action is None:
        return show(turn, menu, before=["invalid_key"], intro=False)
    return action()


def with_common_keys(turn, menu, back=None):
    """Give a sub-menu the keys every menu has: 9 repeat, 0 message, * back."""
    menu.keys.setdefault(KEY_REPEAT, lambda: show(turn, menu))
    menu.keys.setdefault(KEY_MESSAGE, lambda: leave_message(turn))
    menu.keys.setdefault(KEY_BACK, back or (lambda: show(turn, main_menu(turn))))
    return menu


def say_all(turn, *keys):
    """Return an options callable that speaks prompt KEYS in order."""

    def options(container):
        for key in keys:
            say(container, turn, key)

    return options


# The main menu.


def main_menu(turn, greet=False):
    """The main menu; GREET adds the commune's greeting and the OTP warning."""

    def intro(container):
        greeting = "greeting_callback" if turn.mode == "callback" else "greeting"
        say(container, turn, greeting, commune=commune_spoken(turn))
        say(container, turn, "no_otp")

    menu = Menu(
        "voice.menu",
        say_all(
            turn,
            "menu_visit",
            "menu_guidance",
            "menu_schedule",
            "menu_message",
            "menu_repeat",
            "menu_language",
        ),
        intro=intro if greet else None,
    )
    menu.keys = {
        KEY_VISIT: lambda: visit_entry(turn),
        KEY_GUIDANCE: lambda: show(turn, guidance_menu(turn, 0) or main_menu(turn)),
        KEY_SCHEDULE: lambda: schedule_entry(turn),
        KEY_MESSAGE: lambda: leave_message(turn),
        KEY_REPEAT: lambda: show(turn, main_menu(turn)),
        KEY_LANGUAGE: lambda: switch_language(turn),
    }
    return menu


def switch_language(turn):
    """Switch the call between Vietnamese and English and say the main menu again."""
    turn.lang = "en" if turn.lang == "vi" else "vi"
    calls.set_language(turn.db, turn.call_sid, turn.lang)
    return show(turn, main_menu(turn))


def known_hamlet(turn):
    """Return the caller's hamlet when their number is linked to an active one."""
    resident = turn.resident
    hamlet = hamlets.get(turn.db, resident["hamlet_id"]) if resident else None
    return hamlet if hamlet and hamlet["active"] else None


# Home visit.


def visit_entry(turn):
    """Key 1: show an open visit, confirm the known hamlet, or ask for the hamlet."""
    if not turn.phone:
        return show(turn, main_menu(turn), before=["no_number"])
    existing = actions.open_visit(turn.db, turn.phone)
    if existing:
        return show(turn, visit_done_menu(turn, existing, opener="visit_existing"))
    menu = visit_menu(turn)
    return show(turn, menu) if menu else hamlet_entry(turn, "visit")


def visit_menu(turn):
    """A known caller confirms the visit to their hamlet with one key."""
    hamlet = known_hamlet(turn)
    if not hamlet or not turn.phone:
        return None

    def options(container):
        say(container, turn, "visit_known", hamlet=turn.name(hamlet["name"]))
        for key in ("visit_confirm", "visit_other_hamlet", "menu_repeat", "back_to_start"):
            say(container, turn, key)

    menu = Menu("voice.visit", options)
    menu.keys = {
        KEY_CONFIRM: lambda: book(turn, hamlet["id"]),
        KEY_OTHER_HAMLET: lambda: show(turn, hamlet_menu(turn, "visit")),
    }
    return with_common_keys(turn, menu)


def book(turn, hamlet_id):
    """Open the visit request and read back its confirmation."""
    if not turn.phone:
        return show(turn, main_menu(turn), before=["no_number"])
    request, created = actions.book_visit(
        turn.db, phone=turn.phone, call_sid=turn.call_sid, hamlet_id=hamlet_id
    )
    opener = "visit_received" if created else "visit_existing"
    return show(turn, visit_done_menu(turn, request, opener=opener))


def visit_done_menu(turn, request, opener=None):
    """The confirmation: the day in words, the code letter by letter, then repeat or back."""

    def intro(container):
        if opener:
            say(container, turn, opener)
        trip = trips.get(turn.db, request["trip_id"]) if request["trip_id"] else None
        hamlet = hamlets.get(turn.db, request["hamlet_id"])
        if trip and hamlet:
            say(container, turn, "visit_day", **trip_words(turn, trip, hamlet))
        else:
            say(container, turn, "visit_call_back")
        say(container, turn, "ref_code", chars=spell_ref(request["ref"], turn.lang))
        if phones.is_mobile(turn.phone):
            say(container, turn, "sms_copy")

    menu = Menu(
        "voice.visit_done",
        say_all(turn, "hear_again", "back_to_start", "may_hang_up"),
        intro=intro,
        params={"request_id": request["id"]},
        on_silence="goodbye",
    )
    menu.keys[KEY_REPEAT] = lambda: show(turn, visit_done_menu(turn, request))
    return with_common_keys(turn, menu)


def visit_done_menu_for(turn, request_id):
    """The confirmation menu of the caller's own request, or None."""
    try:
        request = queue.get(turn.db, request_id)
    except queue.RequestNotFound:
        return None
    resident = residents.get(turn.db, request["resident_id"])
    if not resident or resident["phone"] != turn.phone:
        return None
    return visit_done_menu(turn, request)


def trip_words(turn, trip, hamlet):
    """The words for a trip: hamlet, session and the day as spoken ("thứ Ba, ngày 2 tháng 12")."""
    local = clock.to_local(trip["starts_at"])
    return {
        "hamlet": turn.name(hamlet["name"]),
        "session": SESSIONS[turn.lang].get(trip["session"], SESSIONS[turn.lang]["morning"]),
        "day": spoken_day(local.date(), turn.lang),
    }


# Choosing a hamlet (for a visit or to hear the next trip).


def hamlet_groups(rows):
    """Split hamlets into keypad-sized groups: by former commune, else in route order.

    Returns None when one list fits the keypad, else a list of (former commune or None, rows).
    """
    if len(rows) <= HAMLET_CHOICES:
        return None
    by_commune = {}
    for row in rows:
        by_commune.setdefault(row["old_commune"] or "", []).append(row)
    if (
        "" not in by_commune
        and 1 < len(by_commune) <= HAMLET_CHOICES
        and all(len(group) <= HAMLET_CHOICES for group in by_commune.values())
    ):
        return list(by_commune.items())
    count = math.ceil(len(rows) / HAMLET_CHOICES)
    size = math.ceil(len(rows) / count)
    return [(None, rows[start : start + size]) for start in range(0, len(rows), size)]


def hamlet_entry(turn, purpose):
    """Ask for the caller's hamlet, or book without one when no hamlet is active."""
    menu = hamlet_menu(turn, purpose)
    if menu:
        return show(turn, menu)
    if purpose == "visit":
        return book(turn, None)
    return show(turn, main_menu(turn))


def pick_hamlet(turn, purpose, hamlet):
    """Act on the chosen hamlet: book the visit, or read the next trip there."""
    if purpose == "visit":
        return book(turn, hamlet["id"])
    return show(turn, schedule_menu(turn, hamlet))


def hamlet_menu(turn, purpose):
    """The hamlet choice: one list, or a list of groups when there are many hamlets."""
    purpose = purpose if purpose in PURPOSES else "schedule"
    rows = hamlets.active(turn.db)
    if not rows:
        return None
    groups = hamlet_groups(rows)
    if groups is None:
        return hamlet_list_menu(turn, purpose, rows, "voice.hamlets", {"for": purpose})

    def options(container):
        say(container, turn, "choose_hamlet")
        for key, (commune, group) in enumerate(groups, start=1):
            if len(group) == 1:
                say(container, turn, "hamlet_option", name=turn.name(group[0]["name"]), key=key)
            elif commune:
                say(container, turn, "hamlet_group_old_commune", name=turn.name(commune), key=key)
            else:
                first, last = turn.name(group[0]["name"]), turn.name(group[-1]["name"])
                say(container, turn, "hamlet_group_range", first=first, last=last, key=key)
        say(container, turn, "menu_repeat")
        say(container, turn, "back_to_start")

    menu = Menu("voice.hamlets", options, params={"for": purpose})
    for key, (_commune, group) in enumerate(groups, start=1):
        if len(group) == 1:
            menu.keys[str(key)] = lambda hamlet=group[0]: pick_hamlet(turn, purpose, hamlet)
        else:
            menu.keys[str(key)] = lambda index=key: show(
                turn, hamlet_group_menu(turn, purpose, index) or menu
            )
    return with_common_keys(turn, menu)


def hamlet_group_menu(turn, purpose, index):
    """The hamlets of group INDEX (1-based), or None if there is no such group."""
    purpose = purpose if purpose in PURPOSES else "schedule"
    groups = hamlet_groups(hamlets.active(turn.db)) or []
    if not 1 <= index <= len(groups):
        return None
    params = {"group": index, "for": purpose}
    return hamlet_list_menu(turn, purpose, groups[index - 1][1], "voice.hamlet_group", params)


def hamlet_list_menu(turn, purpose, rows, endpoint, params):
    """One key per hamlet in ROWS."""

    def options(container):
        say(container, turn, "choose_hamlet")
        for key, hamlet in enumerate(rows, start=1):
            say(container, turn, "hamlet_option", name=turn.name(hamlet["name"]), key=key)
        say(container, turn, "menu_repeat")
        say(container, turn, "back_to_start")

    menu = Menu(endpoint, options, params=params)
    for key, hamlet in enumerate(rows, start=1):
        menu.keys[str(key)] = lambda hamlet=hamlet: pick_hamlet(turn, purpose, hamlet)
    return with_common_keys(turn, menu)


# The next team visit to a hamlet.


def schedule_entry(turn):
    """Key 3: read the next trip to the caller's hamlet, asking for it if unknown."""
    hamlet = known_hamlet(turn)
    if hamlet:
        return show(turn, schedule_menu(turn, hamlet))
    return hamlet_entry(turn, "schedule")


def schedule_menu(turn, hamlet):
    """The next trip to HAMLET, with a key to ask for a visit on it."""

    def intro(container):
        upcoming = trips.upcoming_for_hamlet(turn.db, hamlet["id"], limit=1)
        if upcoming:
            say(container, turn, "schedule_next", **trip_words(turn, upcoming[0], hamlet))
        else:
            say(container, turn, "schedule_none", hamlet=turn.name(hamlet["name"]))

    def options(container):
        if turn.phone:
            say(container, turn, "schedule_book")
        for key in ("hear_again", "back_to_start", "may_hang_up"):
            say(container, turn, key)

    menu = Menu(
        "voice.schedule",
        options,
        intro=intro,
        params={"hamlet_id": hamlet["id"]},
        on_silence="goodbye",
    )
    if turn.phone:
        menu.keys[KEY_BOOK] = lambda: book(turn, hamlet["id"])
    return with_common_keys(turn, menu)


def schedule_menu_for(turn, hamlet_id):
    """The schedule menu of an active hamlet, or None."""
    hamlet = hamlets.get(turn.db, hamlet_id)
    return schedule_menu(turn, hamlet) if hamlet and hamlet["active"] else None


# Procedure guidance.


def procedure_pages(procedures):
    """Split procedures into even groups of at most PROCEDURE_CHOICES (12 -> 4, 4, 4)."""
    if not procedures:
        return []
    count = math.ceil(len(procedures) / PROCEDURE_CHOICES)
    size = math.ceil(len(procedures) / count)
    return [procedures[start : start + size] for start in range(0, len(procedures), size)]


def procedure_name(turn, procedure):
    """A procedure's name in the call's language."""
    if turn.lang == "en":
        return procedure["name_en"] or strip_diacritics(procedure["name"])
    return procedure["name"]


def guidance_menu(turn, page):
    """One group of procedures, one key each, and a key for the other groups."""
    pages = procedure_pages(guidance.all_procedures(turn.db))
    if not pages:
        return None
    page = page % len(pages)

    def options(container):
        say(container, turn, "choose_procedure")
        for key, procedure in enumerate(pages[page], start=1):
            say(container, turn, "procedure_option", name=procedure_name(turn, procedure), key=key)
        if len(pages) > 1:
            say(container, turn, "more_procedures")
        say(container, turn, "menu_repeat")
        say(container, turn, "back_to_start")

    menu = Menu("voice.guidance", options, params={"page": page})
    for key, procedure in enumerate(pages[page], start=1):
        menu.keys[str(key)] = lambda procedure=procedure: show(
            turn, procedure_menu(turn, procedure)
        )
    if len(pages) > 1:
        menu.keys[KEY_MORE_PROCEDURES] = lambda: show(turn, guidance_menu(turn, page + 1))
    return with_common_keys(turn, menu)


def page_of(turn, procedure):
    """Return the guidance page that lists PROCEDURE."""
    for index, page in enumerate(procedure_pages(guidance.all_procedures(turn.db))):
        if any(item["code"] == procedure["code"] for item in page):
            return index
    return 0


def procedure_menu(turn, procedure):
    """A procedure's steps read out, then a key to get them by SMS."""

    def intro(container):
        say(container, turn, "procedure_title", name=procedure_name(turn, procedure))
        if turn.lang == "en":
            speak(container, turn, procedure["sms_steps_en"] or "")
            say(container, turn, "procedure_documents", documents=procedure["sms_documents_en"])
            return
        for step in procedure["steps"]:
            speak(container, turn, step)
        if procedure["documents"]:
            documents = "; ".join(procedure["documents"])
            say(container, turn, "procedure_documents", documents=documents)

    def options(container):
        if turn.phone:
            say(container, turn, "procedure_sms_offer")
        for key in ("hear_again", "procedure_other", "may_hang_up"):
            say(container, turn, key)

    menu = Menu(
        "voice.procedure",
        options,
        intro=intro,
        params={"code": procedure["code"]},
        on_silence="goodbye",
    )
    if turn.phone:
        menu.keys[KEY_SEND_SMS] = lambda: send_guidance(turn, menu, procedure)
    back = lambda: show(turn, guidance_menu(turn, page_of(turn, procedure)))  # noqa: E731
    return with_common_keys(turn, menu, back=back)


def procedure_menu_for(turn, code):
    """The menu of an active procedure by code, or None."""
    procedure = guidance.get(turn.db, code)
    return procedure_menu(turn, procedure) if procedure and procedure["active"] else None


def send_guidance(turn, menu, procedure):
    """Key 1 after the steps: queue them by SMS and say so."""
    sent = actions.send_guidance(
        turn.db, phone=turn.phone, call_sid=turn.call_sid, procedure=procedure, language=turn.lang
    )
    return show(turn, menu, before=["sms_sent" if sent else "sms_not_mobile"], intro=False)


# Voice message and endings.


def leave_message(turn, reason=None):
    """Explain, then <Record> up to two minutes; the <Redirect> after it catches silence."""
    response = VoiceResponse()
    if not turn.phone:
        # Without a number the message could never be answered; say how to reach staff.
        say(response, turn, "no_number")
        return goodbye(turn, response)
    if reason:
        say(response, turn, reason)
    say(response, turn, "message_intro")
    base = current_app.config["PUBLIC_BASE_URL"]
    response.record(
        action=turn.url("voice.record"),
        method="POST",
        max_length=RECORD_MAX_SECONDS,
        timeout=RECORD_SILENCE_SECONDS,
        play_beep=True,
        finish_on_key="#",
        recording_status_callback=base + url_for("voice.recording_status"),
        recording_status_callback_method="POST",
        recording_status_callback_event="completed absent",
    )
    # Twilio skips the action when nothing was said, and goes on to this.
    response.redirect(turn.url("voice.goodbye", reason="empty"), method="POST")
    return response


def message_saved(turn):
    """The thank-you after a voice message, then hang up."""
    response = VoiceResponse()
    say(response, turn, "message_thanks")
    return goodbye(turn, response)


def goodbye(turn, response=None, before=()):
    """Say goodbye and hang up."""
    response = response or VoiceResponse()
    for key in before:
        say(response, turn, key)
    say(response, turn, "goodbye")
    response.hangup()
    return response
