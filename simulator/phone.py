"""The simulated phone: it plays the provider's part and reaches the channels' own doors.

A text is taken in by the domain function the Twilio webhook calls (`waiting.take`); a call
step is answered by the voice channel's one entry (`voice.steps.answer_step`), which the
voice webhooks call once they have checked Twilio's signature. So what the phone does is
stored, deduplicated and answered as a real message or call, and is real data for staff.
No HTTP request is made, so there is no signature to check: the simulator itself is behind
the staff sign-in and off whenever a real provider is configured.
"""

import contextlib
import re
import secrets
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from urllib.parse import unquote, urlencode, urljoin, urlsplit

from flask import current_app
from werkzeug.exceptions import HTTPException

from app import channels, communes
from app.delivery import waiting
from app.infra import wake
from app.infra.database import get_db
from app.language import phones
from app.ops import worker
from simulator import clips
from voice.steps import answer_step

VOICE_INCOMING = "/voice/incoming"
VOICE_STATUS = "/voice/status"
VOICE_PREFIX = "/voice/"
RECORDINGS_PATH = "/simulator/recordings/"
MAX_BODY = 1600  # Twilio's limit for one inbound message
# How long the phone waits for a running worker's replies before it shows what there is.
REPLY_WAIT_SECONDS = 10
CALL_SID = re.compile(r"^CA[0-9a-f]{32}$")


class SimulatorError(Exception):
    """The app answered the simulated provider with something a phone cannot use."""


class Refused(SimulatorError):
    """The voice channel refused a step with an HTTP error, as its webhook would answer."""

    def __init__(self, path, status):
        super().__init__(f"{path} answered HTTP {status}")
        self.status = status


class NoNumber(SimulatorError):
    """The commune open in the console has no Twilio number for the phone to reach."""


@dataclass
class Leg:
    """One answered webhook of a call: where it was posted and the verbs that came back."""

    path: str
    steps: list = field(default_factory=list)


def new_sid(prefix):
    """Return a fresh Twilio-shaped SID, e.g. SM followed by 32 hex digits."""
    return prefix + secrets.token_hex(16)


def base_url():
    """Return the public base URL the app signs and builds callback URLs against."""
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/")


def service_e164():
    """The number the simulated phone texts and calls: the Twilio number of the commune open
    in the console (the configured one outside a console request).
    """
    default = current_app.config["TWILIO_FROM_NUMBER"]
    commune = communes.current_or_none()
    if commune is None:
        return default
    number = channels.twilio_number(get_db(), commune, default)
    if not number:
        raise NoNumber("Xã này chưa có số điện thoại Twilio. / This commune has no Twilio number.")
    return number


def service_number():
    """The service's number as residents see it (the embedded placeholder as configured)."""
    number = service_e164()
    return phones.display(number) if phones.is_valid(number) else number


def post_step(path, params, method="POST"):
    """Answer a voice webhook at PATH for PARAMS as the channel answers Twilio; its TwiML.

    The step is answered by the voice channel's own entry, in process: no HTTP request is
    made, so no signature is needed. Returns None for a callback that answers no content.
    """
    parts = urlsplit(path)
    query = parts.query
    form = params
    if method.upper() == "GET":
        # Twilio sends GET parameters in the query string.
        query = "&".join(filter(None, [query, urlencode(params)]))
        form = {}
    try:
        return answer_step(get_db(), unquote(parts.path), form, query=query, method=method.upper())
    except HTTPException as exc:
        raise Refused(path, exc.code) from None


def _common(phone):
    """Form fields Twilio sends with every request from this phone."""
    return {
        "AccountSid": current_app.config["TWILIO_ACCOUNT_SID"],
        "ApiVersion": "2010-04-01",
        "From": phone,
        "To": service_e164(),
        "FromCountry": "VN",
        "ToCountry": "VN",
    }


@dataclass
class Replies:
    """The replies to a simulated text, and whether they were all settled before the wait ended."""

    bodies: list
    on_time: bool = True


def send_sms(phone, body):
    """Text BODY from PHONE to the service's number; return its Replies.

    The message is taken in as the Twilio webhook takes it (the same domain function, under
    a fresh MessageSid). With a worker running, the replies are shown as soon as its
    transport has them: the phone waits for the worker's wake-up (app.infra.wake), at most
    REPLY_WAIT_SECONDS. With none, the simulator answers in process as the worker would,
    and the replies show as waiting to be sent.
    """
    if len(body) > MAX_BODY:
        raise SimulatorError(f"a message has at most {MAX_BODY} characters")
    db = get_db()
    number = service_e164()
    found = channels.for_twilio(db, number, current_app.config["TWILIO_FROM_NUMBER"])
    if found is None:
        raise SimulatorError(f"no commune owns the number {number}")
    sid = new_sid("SM")
    key = f"twilio:{sid}"
    if not worker.is_running(db):
        waiting.take(db, commune=found[0], phone=phone, body=body, **_twilio(sid))
        worker.answer_all(db)
        return Replies([body for body, _status in waiting.replies(db, key)[1]])
    # Listening before the message is stored, so no wake-up can come before the phone waits.
    with _listening() as listener:
        waiting.take(db, commune=found[0], phone=phone, body=body, **_twilio(sid))
        return _wait_for_replies(db, key, listener)


def _twilio(sid):
    """How a message under Twilio's MessageSid SID is stored: provider, id, dedupe key."""
    return {"provider": "twilio", "provider_id": sid, "dedupe_key": f"twilio:{sid}"}


@contextlib.contextmanager
def _listening():
    """A socket the worker wakes when it answered a message or sent a reply (None if none)."""
    try:
        listener = wake.Listener(current_app.config["DATABASE_PATH"], wake.REPLIES)
    except OSError:
        listener = None  # no socket beside the database: the phone looks on a short poll
    try:
        yield listener
    finally:
        if listener is not None:
            listener.close()


def _wait_for_replies(db, dedupe_key, listener):
    """Wait until the message under DEDUPE_KEY is answered and its replies settled."""
    deadline = time.monotonic() + REPLY_WAIT_SECONDS
    while True:
        answered, rows = waiting.replies(db, dedupe_key)
        bodies = [body for body, _status in rows]
        if answered and all(status not in ("pending", "leased") for _body, status in rows):
            return Replies(bodies)
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return Replies(bodies, on_time=False)
        if listener is None:
            time.sleep(min(remaining, wake.FALLBACK_SECONDS))
        elif not listener.wait(remaining):
            # No wake-up came in time: what there is now, marked late.
            return Replies([body for body, _status in waiting.replies(db, dedupe_key)[1]], False)


def call_params(call_sid, phone, status="in-progress", **extra):
    """Return the form fields of a voice webhook for CALL_SID from PHONE, plus EXTRA."""
    params = {
        **_common(phone),
        "CallSid": call_sid,
        "CallStatus": status,
        "Direction": "inbound",
        "Caller": phone,
        "Called": service_e164(),
    }
    params.update({key: str(value) for key, value in extra.items() if value is not None})
    return params


def start_call(phone):
    """Ring the service from PHONE; return (call_sid, first Leg)."""
    call_sid = new_sid("CA")
    leg = _voice_request(VOICE_INCOMING, call_params(call_sid, phone, status="ringing"))
    return call_sid, leg


def follow(call_sid, phone, path, method="POST", digits=None):
    """Post the next step of a call to PATH (a Gather action or a Redirect); return the Leg."""
    return _voice_request(voice_path(path), call_params(call_sid, phone, Digits=digits), method)


def record(call_sid, phone, step, clip, extension, duration=None):
    """Answer a <Record> STEP with CLIP: store it, post the action and the status callback.

    The clip is stored beside the database (recordings/<RecordingSid>.<ext>) and the webhook is
    given a RecordingUrl under /simulator/recordings/, which the app serves while the simulator
    is on, so staff can play it back just like a fetched Twilio recording.
    """
    recording_sid = new_sid("RE")
    path = clips.store(recording_sid, clip, extension)
    if duration is None:
        duration = clips.seconds(path)
    recording = {
        "RecordingUrl": base_url() + RECORDINGS_PATH + recording_sid,
        "RecordingSid": recording_sid,
        "RecordingDuration": max(1, min(int(duration), step.get("max_length") or 3600)),
    }
    leg = _voice_request(
        voice_path(step["action"]), call_params(call_sid, phone, **recording), step["method"]
    )
    if step.get("status_callback"):
        status = call_params(
            call_sid,
            phone,
            RecordingStatus="completed",
            RecordingChannels=1,
            RecordingSource="RecordVerb",
            **recording,
        )
        post_step(
            voice_path(step["status_callback"]), status, step.get("status_callback_method", "POST")
        )
    return recording_sid, leg


def hang_up(call_sid, phone, duration=0):
    """Tell the app the call ended (Twilio's status callback); return its HTTP status.

    A refused callback is only reported: Twilio does not retry it either.
    """
    params = call_params(call_sid, phone, status="completed", CallDuration=int(duration))
    try:
        return 204 if post_step(VOICE_STATUS, params) is None else 200
    except Refused as refused:
        return refused.status


def voice_path(url):
    """Reduce a TwiML URL to an app path under /voice/; refuse anything else."""
    full = urljoin(base_url() + "/", url or "")
    if not full.startswith(base_url() + "/"):
        raise SimulatorError(f"the phone only follows the app's voice webhooks, not {url!r}")
    path = full[len(base_url()) :]
    if not path.startswith(VOICE_PREFIX) or ".." in urlsplit(path).path:
        raise SimulatorError(f"the phone only follows the app's voice webhooks, not {url!r}")
    return path


def parse_voice(xml_text, path):
    """Parse a voice TwiML document posted to PATH into a list of plain step dicts."""
    root = _parse(xml_text)
    return [_step(element, path) for element in root]


def _voice_request(path, params, method="POST"):
    """Answer a voice step and parse its TwiML into a Leg."""
    answer = post_step(path, params, method)
    return Leg(path=path, steps=parse_voice(answer or "<Response/>", path))


def _parse(xml_text):
    """Parse a TwiML document and return its <Response> root."""
    try:
        root = ET.fromstring(xml_text)
    except ET.ParseError as exc:
        raise SimulatorError(f"the reply is not valid TwiML: {exc}") from None
    if root.tag != "Response":
        raise SimulatorError("the reply is not a TwiML <Response>")
    return root


def _int(value, default):
    """Parse an integer attribute, falling back to DEFAULT."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _resolve(url, path):
    """Resolve a TwiML URL relative to the document at PATH; keep it absolute if foreign."""
    full = urljoin(base_url() + path, (url or "").strip())
    return full[len(base_url()) :] if full.startswith(base_url() + "/") else full


def _step(element, path):
    """Turn one TwiML verb into a dict the page and the terminal can play."""
    tag = element.tag
    if tag == "Say":
        return {
            "verb": "say",
            "text": " ".join("".join(element.itertext()).split()),
            "language": element.get("language", "en-US"),
            "loop": max(1, _int(element.get("loop"), 1)),
        }
    if tag == "Play":
        return {
            "verb": "play",
            "url": _resolve(element.text, path),
            "loop": max(1, _int(element.get("loop"), 1)),
        }
    if tag == "Pause":
        return {"verb": "pause", "length": _int(element.get("length"), 1)}
    if tag == "Gather":
        return {
            "verb": "gather",
            "action": _resolve(element.get("action") or path, path),
            "method": element.get("method", "POST").upper(),
            "timeout": _int(element.get("timeout"), 5),
            "num_digits": _int(element.get("numDigits"), None),
            "finish_on_key": element.get("finishOnKey", "#"),
            "children": [_step(child, path) for child in element],
        }
    if tag == "Redirect":
        return {
            "verb": "redirect",
            "url": _resolve(element.text or path, path),
            "method": element.get("method", "POST").upper(),
        }
    if tag == "Record":
        return {
            "verb": "record",
            "action": _resolve(element.get("action") or path, path),
            "method": element.get("method", "POST").upper(),
            "max_length": _int(element.get("maxLength"), 3600),
            "timeout": _int(element.get("timeout"), 5),
            "play_beep": element.get("playBeep", "true").lower() != "false",
            "status_callback": _resolve(element.get("recordingStatusCallback"), path)
            if element.get("recordingStatusCallback")
            else "",
            "status_callback_method": element.get("recordingStatusCallbackMethod", "POST"),
        }
    if tag in ("Hangup", "Reject"):
        return {"verb": "hangup"}
    if tag == "Dial":
        number = element.findtext("Number") or element.text or ""
        return {"verb": "dial", "number": number.strip()}
    return {"verb": tag.lower(), "unsupported": True}
