"""Simulator routes: the phone page and the JSON endpoints its script calls."""

import math

from flask import abort, current_app, g, jsonify, render_template, request, send_file

from app.infra.database import get_db
from app.language import phones
from simulator import bp, clips, conversation, phone

INVALID_PHONE = "Số điện thoại không hợp lệ. / Not a valid phone number."
MAX_CLIP_SECONDS = 120


class BadField(ValueError):
    """A field the page sent is not what the simulator takes; the message says which."""


def hidden_when_off():
    """Every simulator route answers 404 unless the simulator is switched on."""
    if request.blueprint == "simulator" and not current_app.config.get("SIMULATOR"):
        abort(404)


@bp.record_once
def check_switch_first(state):
    # CSRF runs as an app-wide before_request hook; the off switch must answer before it,
    # so that a switched-off simulator is simply not there (404), not a CSRF failure.
    state.app.before_request_funcs.setdefault(None, []).insert(0, hidden_when_off)


@bp.after_request
def allow_microphone(response):
    """Let the page record a voice message: the console's headers deny the microphone."""
    # Blueprint hooks run before the app-wide security headers, which only setdefault.
    response.headers["Permissions-Policy"] = "camera=(), microphone=(self), geolocation=()"
    return response


@bp.errorhandler(phones.InvalidPhone)
def invalid_phone(_exc):
    return jsonify(error=INVALID_PHONE), 400


@bp.errorhandler(BadField)
def bad_field(exc):
    return jsonify(error=str(exc)), 400


@bp.errorhandler(clips.RecordingRefused)
def recording_refused(exc):
    return jsonify(error=str(exc)), exc.status


@bp.errorhandler(phone.NoNumber)
def no_number(exc):
    # Nothing is wrong with the app: the commune open has no number for the phone to reach.
    return jsonify(error=str(exc)), 409


@bp.errorhandler(phone.SimulatorError)
def simulator_error(exc):
    # The webhook refused or broke; show it on the phone rather than failing the page.
    return jsonify(error=str(exc)), 502


def _fields():
    """The request's fields, whether the script sent JSON (an object) or a form."""
    fields = request.get_json(silent=True)
    if fields is None:
        return request.form
    if not isinstance(fields, dict):
        raise BadField("send a JSON object")
    return fields


def _text(fields, name, default=""):
    """A text field; a number, a list or null where text belongs is refused."""
    value = fields.get(name, default)
    if not isinstance(value, str):
        raise BadField(f"{name} must be text")
    return value


def _seconds(fields, name):
    """A duration in seconds (0 to an hour), or None when not given; inf and nan are refused."""
    raw = fields.get(name)
    if raw in (None, ""):
        return None
    try:
        seconds = float(raw)
    except (TypeError, ValueError):
        raise BadField(f"{name} must be a number of seconds") from None
    if not math.isfinite(seconds) or not 0 <= seconds <= 3600:
        raise BadField(f"{name} must be between 0 and 3600 seconds")
    return seconds


def _phone(fields):
    """The E.164 number of the simulated phone, normalised from whatever was typed."""
    return phones.normalise(_text(fields, "phone"))


def _call_sid(fields):
    """The call's SID, which the page got from /api/call; anything else is refused."""
    call_sid = _text(fields, "call_sid")
    if not phone.CALL_SID.match(call_sid):
        raise BadField("call_sid is not a call this phone made")
    return call_sid


def _thread_payload(number):
    """The JSON the page renders for a number: who it is and the thread."""
    db = get_db()
    return {
        "phone": number,
        "display": phones.display(number),
        "name": conversation.who(db, g.commune, number),
        "messages": conversation.thread(db, g.commune, number),
    }


def _leg_payload(call_sid, number, leg):
    """The JSON for one answered call step."""
    return {"call_sid": call_sid, "phone": number, "path": leg.path, "steps": leg.steps}


@bp.get("")
def page():
    """The phone: number field, screen and keypad."""
    try:
        number = phone.service_number()
    except phone.SimulatorError:
        number = ""  # the commune has no number yet: the page says nothing about one
    return render_template(
        "simulator.html",
        residents=conversation.demo_residents(get_db(), g.commune),
        service_number=number,
    )


@bp.get("/api/thread")
def thread():
    """The SMS thread of a number, polled by the page every few seconds."""
    return jsonify(_thread_payload(phones.normalise(request.args.get("phone", ""))))


@bp.post("/api/sms")
def send_sms():
    """Text the service from the simulated phone; answer with the reply and the thread."""
    fields = _fields()
    number = _phone(fields)
    body = _text(fields, "body")
    replies = phone.send_sms(number, body)
    # late: the worker had not settled every reply when the phone stopped waiting.
    return jsonify(replies=replies.bodies, late=not replies.on_time, **_thread_payload(number))


@bp.post("/api/call")
def start_call():
    """Ring the voice menu from the simulated phone; answer with the first TwiML steps."""
    number = _phone(_fields())
    call_sid, leg = phone.start_call(number)
    return jsonify(_leg_payload(call_sid, number, leg))


@bp.post("/api/call/step")
def call_step():
    """Post keypad digits to a Gather action, or follow a Redirect (no digits)."""
    fields = _fields()
    number, call_sid = _phone(fields), _call_sid(fields)
    digits = fields.get("digits")
    if digits is not None and not isinstance(digits, str | int):
        raise BadField("digits must be keypad keys")
    method = _text(fields, "method", "POST").upper()
    if method not in ("GET", "POST"):
        raise BadField("method must be GET or POST")
    leg = phone.follow(
        call_sid,
        number,
        _text(fields, "path"),
        method=method,
        digits=None if digits is None else str(digits),
    )
    return jsonify(_leg_payload(call_sid, number, leg))


@bp.post("/api/call/record")
def call_record():
    """Answer a <Record> with a microphone clip or the sample clip."""
    fields = request.form
    number, call_sid = _phone(fields), _call_sid(fields)
    upload = request.files.get("clip")
    if upload:
        mimetype = (upload.mimetype or "").split(";")[0].strip().lower()
        extension = clips.CLIP_TYPES.get(mimetype)
        if not extension:
            return jsonify(error=f"unsupported audio type {mimetype!r}"), 400
        clip = upload.read(clips.MAX_CLIP_BYTES + 1)
        seconds = _seconds(fields, "duration")
        duration = max(1, min(round(seconds), MAX_CLIP_SECONDS)) if seconds else None
    else:
        clip, extension, duration = clips.sample(), "wav", None
    if not clip:
        return jsonify(error="empty recording"), 400
    step = {
        "action": _text(fields, "action"),
        "method": _text(fields, "method", "POST"),
        "max_length": max(1, min(fields.get("max_length", type=int) or 3600, 3600)),
        "status_callback": _text(fields, "status_callback"),
        "status_callback_method": _text(fields, "status_callback_method", "POST"),
    }
    recording_sid, leg = phone.record(call_sid, number, step, clip, extension, duration)
    return jsonify(recording_sid=recording_sid, **_leg_payload(call_sid, number, leg))


@bp.post("/api/call/hangup")
def call_hangup():
    """The resident hung up: send the call status callback."""
    fields = _fields()
    number, call_sid = _phone(fields), _call_sid(fields)
    status = phone.hang_up(call_sid, number, int(_seconds(fields, "duration") or 0))
    return jsonify(call_sid=call_sid, status_callback=status)


@bp.get("/recordings/<name>")
def recording(name):
    """Serve a simulated recording, by its SID with or without an extension, like Twilio."""
    found = clips.find(name.split(".", 1)[0])
    if not found:
        abort(404)
    path, mimetype = found
    return send_file(path, mimetype=mimetype, max_age=0)
