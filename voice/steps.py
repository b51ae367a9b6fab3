"""One step of a call: Twilio's fields in, the TwiML out.

`answer_step` is the voice channel's one entry: the Flask views call it once they have
checked Twilio's signature, and the simulator calls it as the provider would. It reads no
web request: the step is named by its path (with the query our TwiML put in it) and Twilio's
form fields. A retried step gets its stored TwiML back (DESIGN.md principle 3).
"""

import logging
from dataclasses import dataclass
from urllib.parse import parse_qsl

from flask import abort, current_app, has_request_context
from twilio.twiml.voice_response import VoiceResponse
from werkzeug.datastructures import MultiDict

from app import channels, communes
from app.infra.logs import mask_phone
from app.language import phones
from app.request_queue import callbacks, recordings
from db import transaction
from voice import calls, engine, menu, procedure_menus

log = logging.getLogger(__name__)

MAX_STEP_PARAM = 1000


@dataclass(frozen=True)
class Step:
    """What Twilio asked for: the path and query of the step, and its form fields."""

    path: str  # path and query, as Twilio requested it: the key a retry is known by
    args: MultiDict
    form: MultiDict

    def number(self, name):
        """A small non-negative integer from the query (0 when absent or odd)."""
        try:
            return max(0, min(int(self.args.get(name, 0)), MAX_STEP_PARAM))
        except ValueError:
            return 0


def answer_step(db, path, form, *, query="", method="POST", matched=None):
    """Answer the voice webhook at PATH (and its raw QUERY) for Twilio's FORM fields.

    Returns the TwiML as text, or None when the step has nothing to say (HTTP 204). A
    malformed step raises the HTTP error the webhook answers (400, or 404 for a number no
    commune owns), so the views and the simulator report the same thing. MATCHED is the
    (endpoint, view arguments) a view's routing already found for PATH.
    """
    # Matching a path again costs about 30 microseconds; a view has the answer already.
    endpoint, view_args = matched or current_app.url_map.bind("").match(path, method=method)
    handler = STEPS.get(endpoint)
    if handler is None:
        abort(404)  # a voice URL that is no step of a call (a prompt's audio file)
    step = Step(
        path=f"{path}?{query}".rstrip("?"),
        args=MultiDict(parse_qsl(query, keep_blank_values=True)),
        form=MultiDict(form),
    )
    if has_request_context():
        return handler(db, step, **view_args)
    # The next steps' URLs are built from the URL map, which needs a request: the terminal's
    # `flask call` has none of its own.
    with current_app.test_request_context(base_url=current_app.config["PUBLIC_BASE_URL"]):
        return handler(db, step, **view_args)


def _caller(form):
    """Return (E.164 phone or None, direction): the resident is To on a call we placed.

    A call through a SIP Domain carries a SIP URI; a withheld number is an unknown caller.
    """
    direction = form.get("Direction", "inbound")
    raw = form.get("To" if direction.startswith("outbound") else "From", "")
    return phones.from_caller_id(raw), direction


def called_commune(db, form):
    """The Commune whose number this call is on: Called when inbound, From on a call-back.

    A call keeps the commune of its first step. Answers 404 (creating nothing) when no
    commune owns the number.
    """
    call = calls.get(db, form.get("CallSid", "").strip())
    if call is not None:
        return communes.by_id(db, call["commune_id"])
    direction = form.get("Direction", "inbound")
    ours = form.get("From") if direction.startswith("outbound") else form.get("Called")
    if form.get("SipDomain") and not direction.startswith("outbound"):
        found = channels.for_sip_call(
            db, form["SipDomain"], form.get("To"), current_app.config["TWILIO_FROM_NUMBER"]
        )
    else:
        found = channels.for_twilio(
            db, ours or form.get("To"), current_app.config["TWILIO_FROM_NUMBER"]
        )
    if found is None:
        log.warning("call to %s: no commune owns this number", mask_phone(ours))
        abort(404)
    return found[0]


def _turn(db, commune, step):
    """Build this step's Turn from Twilio's form fields and our query parameters."""
    phone, direction = _caller(step.form)
    lang = step.args.get("lang")
    mode = "callback" if step.args.get("mode") == "callback" else "inbound"
    turn = engine.Turn(
        db,
        step.form.get("CallSid", "").strip(),
        phone,
        lang=lang or "vi",
        step=step.number("n"),
        mode=mode,
        home=menu.main_menu,
        commune=commune,
    )
    if lang not in engine.SAY_LANGUAGES:
        turn.lang = "vi"
        if step.args.get("n") is None and turn.resident and turn.resident["language"] == "en":
            turn.lang = "en"  # the first step follows the resident's own language
    return turn, direction


def run_step(db, step, build):
    """Answer one step once: a provider retry of it gets the stored TwiML back."""
    if not step.form.get("CallSid", "").strip():
        abort(400)
    commune = called_commune(db, step.form)
    with communes.bound(commune):
        turn, direction = _turn(db, commune, step)
        digits = step.form.get("Digits")
        with transaction(db):
            stored = calls.replay(db, turn.call_sid, step.path, digits)
            if stored is None:
                resident = turn.resident
                calls.note(
                    db,
                    turn.call_sid,
                    phone=turn.phone,
                    direction="outbound-callback"
                    if direction.startswith("outbound")
                    else "inbound",
                    language=turn.lang,
                    resident_id=resident["id"] if resident else None,
                )
                stored = str(build(turn, digits))
                calls.remember(db, turn.call_sid, step.path, digits, stored)
    return stored


def menu_step(db, step, builder):
    """Answer a key press (or silence) in the menu BUILDER returns; stale menus go home."""

    def build(turn, digits):
        current = builder(turn)
        if current is None:
            return engine.show(turn, menu.main_menu(turn))
        return engine.answer(turn, current, digits, step.number("silence"))

    return run_step(db, step, build)


def incoming(db, step):
    """A call starts (or a call-back is answered): greeting, then the main menu."""
    return run_step(
        db, step, lambda turn, _digits: engine.show(turn, menu.main_menu(turn, greet=True))
    )


def main_menu(db, step):
    """The main menu's keys."""
    return menu_step(db, step, menu.main_menu)


def visit(db, step):
    """A known caller confirms the home visit to their hamlet."""
    return menu_step(db, step, menu.visit_menu)


def visit_done(db, step, request_id):
    """The confirmation of a booked visit: repeat or go back."""
    return menu_step(db, step, lambda turn: menu.visit_done_menu_for(turn, request_id))


def hamlets(db, step):
    """Choose a hamlet (or a group of hamlets)."""
    return menu_step(db, step, lambda turn: menu.hamlet_menu(turn, step.args.get("for")))


def hamlet_group(db, step, group):
    """Choose a hamlet within a group."""
    return menu_step(
        db, step, lambda turn: menu.hamlet_group_menu(turn, step.args.get("for"), group)
    )


def schedule(db, step, hamlet_id):
    """The next team visit to a hamlet."""
    return menu_step(db, step, lambda turn: menu.schedule_menu_for(turn, hamlet_id))


def guidance(db, step):
    """Choose a procedure, a group of at most five at a time."""
    return menu_step(
        db, step, lambda turn: procedure_menus.guidance_menu(turn, step.number("page"))
    )


def procedure(db, step, code):
    """A procedure's steps, with a key to get them by SMS."""
    return menu_step(db, step, lambda turn: procedure_menus.procedure_menu_for(turn, code))


def message(db, step):
    """Leave a voice message for staff."""
    return run_step(db, step, lambda turn, _digits: engine.leave_message(turn))


def record(db, step):
    """The <Record> action: keep the message as a question for staff, thank, hang up."""

    def build(turn, _digits):
        url = step.form.get("RecordingUrl")
        if not url or not turn.phone:
            return engine.goodbye(turn, before=["message_empty"])
        recordings.save_voice_message(
            turn.db,
            phone=turn.phone,
            call_sid=turn.call_sid,
            recording_url=url,
            recording_sid=step.form.get("RecordingSid"),
            duration=_duration(step.form.get("RecordingDuration")),
        )
        return engine.message_saved(turn)

    return run_step(db, step, build)


def goodbye(db, step):
    """End the call; after an empty recording, say that nothing was heard."""
    before = ["message_empty"] if step.args.get("reason") == "empty" else []
    return run_step(db, step, lambda turn, _digits: engine.goodbye(turn, before=before))


def recording_status(db, step):
    """Twilio's recording status callback: complete the voice message request (no TwiML)."""
    form = step.form
    call_sid = form.get("CallSid", "").strip()
    if not call_sid:
        abort(400)
    status = form.get("RecordingStatus", "completed")
    call = calls.get(db, call_sid)
    if status in recordings.MISSING_STATUSES:
        if call is not None:
            # The callback names no number: the call row knows its commune.
            with communes.bound(communes.by_id(db, call["commune_id"])):
                recordings.mark_recording_missing(db, call_sid, status)
        return None
    if status != "completed":
        return None  # "in-progress": the completed callback follows
    if not call or not call["phone"]:
        log.warning("recording %s for unknown call %s", form.get("RecordingSid"), call_sid)
        return None
    # The callback names no number: the call row knows its commune.
    with communes.bound(communes.by_id(db, call["commune_id"])):
        recordings.save_voice_message(
            db,
            phone=call["phone"],
            call_sid=call_sid,
            recording_url=form.get("RecordingUrl"),
            recording_sid=form.get("RecordingSid"),
            duration=_duration(form.get("RecordingDuration")),
            final=True,
        )
    return None


def status(db, step):
    """Twilio's call status callback: record it, and move a call-back's retry schedule."""
    form = step.form
    call_sid = form.get("CallSid", "").strip()
    call_status = form.get("CallStatus", "").strip()
    if not call_sid or not call_status:
        abort(400)
    with communes.bound(called_commune(db, form)):
        phone, direction = _caller(form)
        with transaction(db):
            kind = "outbound-callback" if direction.startswith("outbound") else "inbound"
            calls.note_status(db, call_sid, call_status, phone=phone, direction=kind)
        callbacks.record_call_status(db, call_sid, call_status)
        if kind == "inbound":
            callbacks.callback_for_missed_call(
                db, call_sid, phone, call_status, duration=_duration(form.get("CallDuration"))
            )
    return str(VoiceResponse())


def _duration(value):
    """Parse Twilio's RecordingDuration (seconds), tolerating blanks and junk."""
    try:
        return max(0, int(value))
    except (TypeError, ValueError):
        return None


# Each step of a call, by the endpoint of its webhook (voice/routes.py).
STEPS = {
    "voice.incoming": incoming,
    "voice.menu": main_menu,
    "voice.visit": visit,
    "voice.visit_done": visit_done,
    "voice.hamlets": hamlets,
    "voice.hamlet_group": hamlet_group,
    "voice.schedule": schedule,
    "voice.guidance": guidance,
    "voice.procedure": procedure,
    "voice.message": message,
    "voice.record": record,
    "voice.goodbye": goodbye,
    "voice.recording_status": recording_status,
    "voice.status": status,
}
