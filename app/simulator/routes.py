"""Simulator routes: the phone page and the JSON endpoints its script calls."""

from flask import abort, current_app, jsonify, render_template, request, send_file

from app import phones
from app.simulator import bp, conversation, phone
from db import get_db

INVALID_PHONE = "Số điện thoại không hợp lệ. / Not a valid phone number."
MAX_CLIP_SECONDS = 120


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


@bp.errorhandler(phone.SimulatorError)
def simulator_error(exc):
    # The webhook refused or broke; show it on the phone rather than failing the page.
    return jsonify(error=str(exc)), 502


def _fields():
    """The request's fields, whether the script sent JSON or a form."""
    return request.get_json(silent=True) or request.form


def _phone(fields):
    """The E.164 number of the simulated phone, normalised from whatever was typed."""
    return phones.normalise(fields.get("phone", ""))


def _call_sid(fields):
    """The call's SID, which the page got from /api/call; anything else is refused."""
    call_sid = fields.get("call_sid", "")
    if not phone.CALL_SID.match(call_sid):
        abort(400)
    return call_sid


def _thread_payload(number):
    """The JSON the page renders for a number: who it is and the thread."""
    db = get_db()
    return {
        "phone": number,
        "display": phones.display(number),
        "name": conversation.who(db, number),
        "messages": conversation.thread(db, number),
    }


def _leg_payload(call_sid, number, leg):
    """The JSON for one answered call step."""
    return {"call_sid": call_sid, "phone": number, "path": leg.path, "steps": leg.steps}


@bp.get("")
def page():
    """The phone: number field, screen and keypad."""
    return render_template(
        "simulator.html",
        residents=conversation.demo_residents(get_db()),
        service_number=phone.service_number(),
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
    body = str(fields.get("body", ""))
    replies = phone.send_sms(number, body)
    return jsonify(replies=replies, **_thread_payload(number))


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
    leg = phone.follow(
        call_sid,
        number,
        fields.get("path", ""),
        method=fields.get("method", "POST"),
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
        extension = phone.CLIP_TYPES.get(mimetype)
        if not extension:
            return jsonify(error=f"unsupported audio type {mimetype!r}"), 400
        clip = upload.read()
        seconds = fields.get("duration", type=float)
        duration = max(1, min(round(seconds), MAX_CLIP_SECONDS)) if seconds else None
    else:
        clip, extension, duration = phone.sample_clip(), "wav", None
    if not clip:
        return jsonify(error="empty recording"), 400
    step = {
        "action": fields.get("action", ""),
        "method": fields.get("method", "POST"),
        "max_length": fields.get("max_length", type=int) or 3600,
        "status_callback": fields.get("status_callback", ""),
        "status_callback_method": fields.get("status_callback_method", "POST"),
    }
    recording_sid, leg = phone.record(call_sid, number, step, clip, extension, duration)
    return jsonify(recording_sid=recording_sid, **_leg_payload(call_sid, number, leg))


@bp.post("/api/call/hangup")
def call_hangup():
    """The resident hung up: send the call status callback."""
    fields = _fields()
    number, call_sid = _phone(fields), _call_sid(fields)
    seconds = fields.get("duration") or 0
    try:
        seconds = int(float(seconds))
    except (TypeError, ValueError):
        seconds = 0
    status = phone.hang_up(call_sid, number, seconds)
    return jsonify(call_sid=call_sid, status_callback=status)


@bp.get("/recordings/<name>")
def recording(name):
    """Serve a simulated recording, by its SID with or without an extension, like Twilio."""
    found = phone.find_recording(name.split(".", 1)[0])
    if not found:
        abort(404)
    path, mimetype = found
    return send_file(path, mimetype=mimetype, max_age=0)
