"""The voice menu engine: a call's turn, speaking prompts, and the rules every menu keeps.

Elderly-first rules live here, once, for every menu:
- every <Gather> waits GATHER_TIMEOUT seconds and is followed by a <Redirect>, the no-input
  path; the first silence repeats the options, the second leaves the menu (to the voice
  message, or to a goodbye once the caller already has what they came for);
- a key that is not on the list is named as such and the options are repeated;
- every URL carries n, the count of steps so far, which only grows; past MAX_STEPS the call
  is wound down to the voice message, so no path can loop forever;
- every answer ends in a <Redirect>, a <Record> or a <Hangup>, so a call never goes silent.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

from flask import current_app, url_for
from twilio.twiml.voice_response import VoiceResponse

from app import residents
from app.language.texts import strip_diacritics
from app.prompts import catalogue
from voice import menu_cache, playback
from voice.prompts import KEY_BACK, KEY_MESSAGE, KEY_REPEAT, ref_number_pieces

GATHER_TIMEOUT = 10  # seconds; elderly callers need time to find the key
RECORD_MAX_SECONDS = 120
RECORD_SILENCE_SECONDS = 10  # a pause to think does not end the message
MAX_SILENCES = 2  # the second no-input leaves the menu
MAX_STEPS = 24  # a normal call needs fewer than 10
SPEECH_RATE = "slow"
SAY_LANGUAGES = {"vi": "vi-VN", "en": "en-US"}
DEFAULT_EN_VOICE = "Google.en-US-Standard-C"
# How every choice menu ends: repeat, the way to a person (a message staff call back), back.
SUB_MENU_ENDING = ("menu_repeat", "menu_message", "back_to_start")


@dataclass
class Turn:
    """One step of a call: who is calling, in which language, and how many steps so far."""

    db: object
    call_sid: str
    phone: str | None  # E.164, or None when the number is withheld or unusable
    lang: str = "vi"
    step: int = 0
    mode: str = "inbound"  # inbound | callback
    home: Callable | None = None  # (turn) -> Menu: the main menu, where * leads
    commune: object = None  # the Commune whose number was called (resolved at the edge)
    audio: dict = field(default_factory=dict)  # what the call can play, loaded once a turn

    @property
    def commune_id(self):
        """The id of the commune called (the first commune's when none was resolved)."""
        return self.commune.id if self.commune else 1

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


def speak(container, turn, text, language=None):
    """Say TEXT slowly in LANGUAGE (the call's by default), in that language's own voice."""
    language = language or turn.lang
    say = container.say(language=SAY_LANGUAGES[language], voice=voice_for(language))
    say.prosody(text, rate=SPEECH_RATE)


def speak_pieces(container, turn, pieces):
    """Say (language, text) PIECES in order, one <Say> each in its language's voice."""
    for language, text in pieces:
        speak(container, turn, text, language)


def say(container, turn, name, /, language=None, **values):
    """Speak prompt NAME: the commune's current recording where one exists, else its words."""
    language = language or turn.lang

    def speak_text(target, text, lang):
        speak(target, turn, text, lang)

    playback.render(container, turn, name, language, values, speak_text)


def say_ref(container, turn, ref):
    """Read a reference code twice: from recorded pieces when they are all there."""
    playback.render_ref(
        container,
        turn,
        ref,
        turn.lang,
        lambda: speak_pieces(container, turn, ref_number_pieces(ref, turn.lang)),
        lambda target, text, lang: speak(target, turn, text, lang),
    )


def say_summary(container, turn, procedure_code, summary):
    """Say a procedure's spoken summary: its current recording, else its words."""
    playback.render_summary(
        container,
        turn,
        procedure_code,
        summary,
        lambda target, text, lang: speak(target, turn, text, lang),
    )


def commune_spoken(turn):
    """Return the commune's name as this call's voice says it (accented in Vietnamese)."""
    return catalogue.spoken_commune(turn.commune, turn.lang)


@dataclass
class Menu:
    """A keypad menu: its options, its key table, and where silence leads."""

    endpoint: str
    options: Callable  # (container) -> None; said every time the menu is shown
    keys: dict = field(default_factory=dict)  # key -> () -> VoiceResponse
    intro: Callable | None = None  # said on entry and on "repeat", not on re-prompts
    params: dict = field(default_factory=dict)
    on_silence: str = "message"  # message | goodbye
    # Set on a menu whose words depend on nothing of the caller: they are then rendered once
    # (voice.menu_cache). It names what else they depend on, beyond endpoint and params.
    cache: tuple | None = None


def show(turn, menu, *, before=(), intro=True, silence=0):
    """Render MENU: a <Gather> holding the words, then the no-input <Redirect>."""
    response = menu_cache.MenuResponse()
    gather = response.gather(
        action=turn.url(menu.endpoint, **menu.params),
        method="POST",
        input="dtmf",
        num_digits=1,
        timeout=GATHER_TIMEOUT,
        finish_on_key="",  # "#" is a key like the others, not a submit button
    )

    def words(container):
        for key in before:
            say(container, turn, key)
        if intro and menu.intro:
            menu.intro(container)
        menu.options(container)

    key = menu_cache.key_of(turn, menu, before, intro and menu.intro)
    menu_cache.fill(response, gather, key, words)
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
    """Give a sub-menu the keys every menu has: 9 repeat, 0 message, * back (to the start)."""
    menu.keys.setdefault(KEY_REPEAT, lambda: show(turn, menu))
    menu.keys.setdefault(KEY_MESSAGE, lambda: leave_message(turn))
    menu.keys.setdefault(KEY_BACK, back or (lambda: show(turn, turn.home(turn))))
    return menu


def reading_menu(turn, endpoint, intro, params, offer, closing, offer_values=None):
    """A menu that reads INTRO out, then says OFFER (to a caller with a number) and CLOSING.

    The caller already has what they came for, so silence ends the call with a goodbye.
    """

    def options(container):
        if turn.phone:
            say(container, turn, offer, **(offer_values or {}))
        for key in closing:
            say(container, turn, key)

    return Menu(endpoint, options, intro=intro, params=params, on_silence="goodbye")


def say_all(turn, *keys):
    """Return an options callable that speaks prompt KEYS in order."""

    def options(container):
        for key in keys:
            say(container, turn, key)

    return options


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
