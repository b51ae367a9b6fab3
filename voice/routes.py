"""Twilio Voice webhooks: parse the step, let the menu answer, store and return the TwiML."""

import logging

from flask import abort, current_app, request
from twilio.twiml.voice_response import VoiceResponse

from app import channels, communes
from app.infra.database import get_db
from app.infra.logs import mask_phone
from app.infra.web.responses import twiml
from app.infra.web.signatures import require_twilio_signature
from app.language import phones
from app.request_queue import callbacks, recordings
from db import transaction
from voice import bp, calls, engine, menu, procedure_menus

log = logging.getLogger(__name__)

MAX_STEP_PARAM = 1000


def _int_arg(name):
    """Read a small non-negative integer from the query string (0 when absent or odd)."""
    try:
        return max(0, min(int(request.args.get(name, 0)), MAX_STEP_PARAM))
    except ValueError:
        return 0


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


def _turn(db, commune):
    """Build this step's Turn from Twilio's form fields and our query parameters."""
    call_sid = request.form.get("CallSid", "").strip()
    if not call_sid:
        abort(400)
    phone, direction = _caller(request.form)
    lang = request.args.get("lang")
    mode = "callback" if request.args.get("mode") == "callback" else "inbound"
    turn = engine.Turn(
        db,
        call_sid,
        phone,
        lang=lang or "vi",
        step=_int_arg("n"),
        mode=mode,
        home=menu.main_menu,
        commune=commune,
    )
    if lang not in engine.SAY_LANGUAGES:
        turn.lang = "vi"
        if request.args.get("n") is None and turn.resident and turn.resident["language"] == "en":
            turn.lang = "en"  # the first step follows the resident's own language
    return turn, direction


def run_step(build):
    """Answer one step once: a provider retry of it gets the stored TwiML back."""
    if not request.form.get("CallSid", "").strip():
        abort(400)
    db = get_db()
    commune = called_commune(db, request.form)
    with communes.bound(commune):
        return _run_step(db, commune, build)


def _run_step(db, commune, build):
    """Answer one step of a call to COMMUNE (bound), replaying a retried one."""
    turn, direction = _turn(db, commune)
    digits = request.form.get("Digits")
    step = request.full_path.rstrip("?")
    with transaction(db):
        stored = calls.replay(db, turn.call_sid, step, digits)
        if stored is None:
            resident = turn.resident
            calls.note(
                db,
                turn.call_sid,
                phone=turn.phone,
                direction="outbound-callback" if direction.startswith("outbound") else "inbound",
                language=turn.lang,
                resident_id=resident["id"] if resident else None,
            )
            stored = str(build(turn, digits))
            calls.remember(db, turn.call_sid, step, digits, stored)
    return twiml(stored)


def menu_step(builder):
    """Answer a key press (or silence) in the menu BUILDER returns; stale menus go home."""

    def build(turn, digits):
        current = builder(turn)
        if current is None:
            return engine.show(turn, menu.main_menu(turn))
        return engine.answer(turn, current, digits, _int_arg("silence"))

    return run_step(build)


@bp.post("/incoming")
@require_twilio_signature
def incoming():
    """A call starts (or a call-back is answered): greeting, then the main menu."""
    return run_step(lambda turn, _digits: engine.show(turn, menu.main_menu(turn, greet=True)))


@bp.post("/menu", endpoint="menu")
@require_twilio_signature
def main_menu():
    """The main menu's keys."""
    return menu_step(menu.main_menu)


@bp.post("/visit")
@require_twilio_signature
def visit():
    """A known caller confirms the home visit to their hamlet."""
    return menu_step(menu.visit_menu)


@bp.post("/visit/<int:request_id>")
@require_twilio_signature
def visit_done(request_id):
    """The confirmation of a booked visit: repeat or go back."""
    return menu_step(lambda turn: menu.visit_done_menu_for(turn, request_id))


@bp.post("/hamlets")
@require_twilio_signature
def hamlets():
    """Choose a hamlet (or a group of hamlets)."""
    return menu_step(lambda turn: menu.hamlet_menu(turn, request.args.get("for")))


@bp.post("/hamlets/<int:group>")
@require_twilio_signature
def hamlet_group(group):
    """Choose a hamlet within a group."""
    return menu_step(lambda turn: menu.hamlet_group_menu(turn, request.args.get("for"), group))


@bp.post("/schedule/<int:hamlet_id>")
@require_twilio_signature
def schedule(hamlet_id):
    """The next team visit to a hamlet."""
    return menu_step(lambda turn: menu.schedule_menu_for(turn, hamlet_id))


@bp.post("/guidance")
@require_twilio_signature
def guidance():
    """Choose a procedure, a group of at most five at a time."""
    return menu_step(lambda turn: procedure_menus.guidance_menu(turn, _int_arg("page")))


@bp.post("/guidance/<code>")
@require_twilio_signature
def procedure(code):
    """A procedure's steps, with a key to get them by SMS."""
    return menu_step(lambda turn: procedure_menus.procedure_menu_for(turn, code))


@bp.post("/message")
@require_twilio_signature
def message():
    """Leave a voice message for staff."""
    return run_step(lambda turn, _digits: engine.leave_message(turn))


@bp.post("/record")
@require_twilio_signature
def record():
    """The <Record> action: keep the message as a question for staff, thank, hang up."""

    def build(turn, _digits):
        url = request.form.get("RecordingUrl")
        if not url or not turn.phone:
            return engine.goodbye(turn, before=["message_empty"])
        recordings.save_voice_message(
            turn.db,
            phone=turn.phone,
            call_sid=turn.call_sid,
            recording_url=url,
            recording_sid=request.form.get("RecordingSid"),
            duration=_duration(request.form.get("RecordingDuration")),
        )
        return engine.message_saved(turn)

    return run_step(build)


@bp.post("/goodbye")
@require_twilio_signature
def goodbye():
    """End the call; after an empty recording, say that nothing was heard."""
    before = ["message_empty"] if request.args.get("reason") == "empty" else []
    return run_step(lambda turn, _digits: engine.goodbye(turn, before=before))


@bp.post("/recording-status")
@require_twilio_signature
def recording_status():
    """Twilio's recording status callback: complete the voice message request."""
    form = request.form
    call_sid = form.get("CallSid", "").strip()
    if not call_sid:
        abort(400)
    db = get_db()
    status = form.get("RecordingStatus", "completed")
    call = calls.get(db, call_sid)
    if status in recordings.MISSING_STATUSES:
        if call is not None:
            # The callback names no number: the call row knows its commune.
            with communes.bound(communes.by_id(db, call["commune_id"])):
                recordings.mark_recording_missing(db, call_sid, status)
        return "", 204
    if status != "completed":
        return "", 204  # "in-progress": the completed callback follows
    if not call or not call["phone"]:
        log.warning("recording %s for unknown call %s", form.get("RecordingSid"), call_sid)
        return "", 204
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
    return "", 204


@bp.post("/status")
@require_twilio_signature
def status():
    """Twilio's call status callback: record it, and move a call-back's retry schedule."""
    form = request.form
    call_sid = form.get("CallSid", "").strip()
    call_status = form.get("CallStatus", "").strip()
    if not call_sid or not call_status:
        abort(400)
    db = get_db()
    with communes.bound(called_commune(db, form)):
        return _status(db, form, call_sid, call_status)


def _status(db, form, call_sid, call_status):
    """Record a call status in the bound commune; a missed call may earn a call-back."""
    phone, direction = _caller(form)
    with transaction(db):
        kind = "outbound-callback" if direction.startswith("outbound") else "inbound"
        calls.note_status(db, call_sid, call_status, phone=phone, direction=kind)
    callbacks.record_call_status(db, call_sid, call_status)
    if kind == "inbound":
        callbacks.callback_for_missed_call(
            db, call_sid, phone, call_status, duration=_duration(form.get("CallDuration"))
        )
    return twiml(VoiceResponse())


def _duration(value):
    """Parse Twilio's RecordingDuration (seconds), tolerating blanks and junk."""
    try:
        return max(0, int(value))
    except (TypeError, ValueError):
        return None
