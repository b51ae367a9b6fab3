"""The simulator's voice clips: stored beside the database, as Twilio keeps recordings."""

import re
import wave
from pathlib import Path

from flask import current_app

from db.files import private_dir, write_private

SAMPLE_CLIP = Path(__file__).resolve().parent.parent / "static/audio/sample-message.wav"
# Two minutes of browser audio (Opus) is well under 2 MB; the folder keeps at most 200 clips.
MAX_CLIP_BYTES = 2 * 1024 * 1024
MAX_RECORDINGS = 200
RECORDING_SID = re.compile(r"^RE[0-9a-f]{32}$")
CLIP_TYPES = {
    "audio/wav": "wav",
    "audio/x-wav": "wav",
    "audio/wave": "wav",
    "audio/webm": "webm",
    "audio/ogg": "ogg",
    "audio/mp4": "m4a",
    "audio/mpeg": "mp3",
}
CLIP_MIMETYPES = {
    "wav": "audio/wav",
    "webm": "audio/webm",
    "ogg": "audio/ogg",
    "m4a": "audio/mp4",
    "mp3": "audio/mpeg",
}


class RecordingRefused(Exception):
    """A clip too big, or one clip too many for the folder; STATUS is the HTTP answer."""

    def __init__(self, message, status):
        super().__init__(message)
        self.status = status


def store(recording_sid, clip, extension):
    """Keep CLIP as recordings/<RECORDING_SID>.<EXTENSION>; refuse one too big or too many."""
    if len(clip) > MAX_CLIP_BYTES:
        raise RecordingRefused(f"a recording has at most {MAX_CLIP_BYTES // 1024} KB", 413)
    folder = private_dir(recordings_dir())
    if sum(1 for _ in folder.glob("RE*")) >= MAX_RECORDINGS:
        raise RecordingRefused(
            f"the simulator keeps at most {MAX_RECORDINGS} recordings; delete old ones "
            "from recordings/ beside the database",
            429,
        )
    path = folder / f"{recording_sid}.{extension}"
    write_private(path, clip)
    return path


def recordings_dir():
    """Folder of simulated recordings: recordings/ beside the database file."""
    return Path(current_app.config["DATABASE_PATH"]).resolve().parent / "recordings"


def find(recording_sid):
    """Return (path, mimetype) of a stored simulated recording, or None."""
    if not RECORDING_SID.match(recording_sid or ""):
        return None
    for path in sorted(recordings_dir().glob(f"{recording_sid}.*")):
        mimetype = CLIP_MIMETYPES.get(path.suffix.lstrip("."))
        if mimetype:
            return path, mimetype
    return None


def sample():
    """Return the bytes of the bundled sample voice message."""
    return SAMPLE_CLIP.read_bytes()


def seconds(path):
    """Length of a WAV clip in whole seconds (at least 1); other formats count as 1."""
    try:
        with wave.open(str(path), "rb") as clip:
            return max(1, round(clip.getnframes() / clip.getframerate()))
    except (wave.Error, EOFError):
        return 1
