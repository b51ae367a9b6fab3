"""Voice messages: the question request that holds a recording, and fetching its audio.

Staff listen through the app, which fetches the audio with the account credentials, so the
browser never holds Twilio credentials and never sees the provider URL.
"""

import logging
import mimetypes
import re
from pathlib import Path

import requests as http

from app import lifecycle
from app.infra import clock
from app.request_queue import service_requests
from app.request_queue.asked import Asked
from db import transaction

log = logging.getLogger(__name__)

TWILIO_API_BASE_URL = "https://api.twilio.com"
FETCH_TIMEOUT_SECONDS = 15
RECORDING_SID = re.compile(r"RE[0-9a-fA-F]{32}")
VOICE_MESSAGE_DESCRIPTION = "Lời nhắn thoại"
# The phone simulator keeps its clips in recordings/ beside the database and links them here.
SIMULATOR_RECORDINGS_PATH = "/simulator/recordings/"


class RecordingUnavailable(LookupError):
    """Raised when a recording cannot be fetched (unknown, deleted or provider error)."""


def message_source_key(call_sid):
    """Return the source key of the voice message left during a call."""
    return f"voice:{call_sid}:message"


def save_voice_message(
    db, *, phone, call_sid, recording_url=None, recording_sid=None, duration=None, final=False
):
    """Open (once per call) the question request holding a voice message; return it.

    Both the <Record> action and the recording status callback call this, in either
    order; FINAL marks the status callback, whose URL and duration are the finished ones.
    """
    with transaction(db):
        request, created = service_requests.open_request(
            db,
            Asked.question(
                phone,
                "voice",
                VOICE_MESSAGE_DESCRIPTION,
                source_key=message_source_key(call_sid),
            ),
        )
        changes = {}
        if recording_sid and (final or not request["recording_sid"]):
            changes["recording_sid"] = recording_sid
        if recording_url and (final or not request["recording_url"]):
            changes["recording_url"] = recording_url
        if duration is not None and (final or request["recording_duration"] is None):
            changes["recording_duration"] = int(duration)
        if changes:
            changes["updated_at"] = clock.iso(clock.now())
            db["requests"].update(request["id"], changes)
        if final and not _has_event(db, request["id"], "recording_ready"):
            lifecycle.record_event(
                db,
                request["id"],
                "recording_ready",
                actor_type="system",
                channel="voice",
                note=f"{int(duration or 0)} s",
            )
        return lifecycle.get(db, request["id"]), created


# Twilio's RecordingStatus values that mean no audio will come.
MISSING_STATUSES = ("absent", "failed")


def mark_recording_missing(db, call_sid, status):
    """Note on a call's voice message that the provider has no audio for it."""
    request = service_requests.by_source_key(db, message_source_key(call_sid))
    if request and not _has_event(db, request["id"], "recording_" + status):
        with transaction(db):
            lifecycle.record_event(
                db,
                request["id"],
                "recording_" + status,
                actor_type="system",
                channel="voice",
                note=f"recording {status}",
            )
    return request


def _has_event(db, request_id, action):
    """Tell whether a request already has an event with ACTION."""
    return bool(
        db.execute(
            "SELECT 1 FROM request_events WHERE request_id = :request_id AND action = :action",
            {"request_id": request_id, "action": action},
        ).fetchone()
    )


def recording_sid_from(recording_url_or_sid):
    """Extract the recording SID from a stored URL or SID, or raise RecordingUnavailable."""
    match = RECORDING_SID.search(str(recording_url_or_sid or ""))
    if not match:
        raise RecordingUnavailable(f"no recording SID in {recording_url_or_sid!r}")
    return match.group(0)


def fetch_recording(recording_url_or_sid, config):
    """Fetch a recording's audio with the account credentials; return (bytes, mimetype).

    Only the SID of the stored value is used: the URL is rebuilt against the configured
    Twilio API, so a tampered URL can never receive the account credentials.
    """
    sid = recording_sid_from(recording_url_or_sid)
    simulated = config["PUBLIC_BASE_URL"] + SIMULATOR_RECORDINGS_PATH
    if config.get("SIMULATOR") and str(recording_url_or_sid).startswith(simulated):
        return _simulated_recording(config, sid)
    account = config["TWILIO_ACCOUNT_SID"]
    base = (config.get("TWILIO_API_BASE_URL") or TWILIO_API_BASE_URL).rstrip("/")
    url = f"{base}/2010-04-01/Accounts/{account}/Recordings/{sid}.mp3"
    try:
        response = http.get(
            url, auth=(account, config["TWILIO_AUTH_TOKEN"]), timeout=FETCH_TIMEOUT_SECONDS
        )
    except http.RequestException as exc:
        log.warning("recording %s could not be fetched: %s", sid, exc)
        raise RecordingUnavailable(sid) from exc
    if response.status_code != 200:
        log.warning("recording %s fetch answered %s", sid, response.status_code)
        raise RecordingUnavailable(sid)
    mimetype = response.headers.get("Content-Type", "audio/mpeg").split(";")[0].strip()
    return response.content, mimetype or "audio/mpeg"


def _simulated_recording(config, sid):
    """Read a clip the phone simulator stored beside the database; return (bytes, mimetype)."""
    folder = Path(config["DATABASE_PATH"]).resolve().parent / "recordings"
    for path in sorted(folder.glob(f"{sid}.*")):
        mimetype = mimetypes.guess_type(path.name)[0]
        if mimetype and mimetype.startswith("audio/"):
            return path.read_bytes(), mimetype
    raise RecordingUnavailable(sid)
