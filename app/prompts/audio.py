"""Recordings of the prompts: taken at the door, converted by the worker, played by token.

An upload is stored as it came, with a 'pending' row; the worker (never a web worker)
converts it with ffmpeg to WAV PCM 8 kHz mono, which Twilio plays, trims the silence at
both ends, normalises its loudness, measures it, and keeps it or refuses it with a reason.
Each file version has its own unguessable token, so its URL can be cached for good.
"""

import logging
import os
import secrets
import shutil
import subprocess
import tempfile
import wave
from pathlib import Path

from app import communes
from app.accounts import audit
from app.infra import clock
from app.language import speech
from app.prompts import catalogue
from db import rows, transaction
from db.files import private_dir, write_private

log = logging.getLogger(__name__)

MAX_UPLOAD_BYTES = 2 * 1024 * 1024
CONVERT_TIMEOUT_SECONDS = 60
# The programs, as the Makefile names them (bin/need installs or asks for them).
FFMPEG = os.environ.get("FFMPEG", "ffmpeg")
SOX = os.environ.get("SOX", "sox")
ESPEAK = os.environ.get("ESPEAK", "espeak-ng")
# Silence below this level at either end is cut; loudness is brought to one level for all.
TRIM_AND_LEVEL = (
    "silenceremove=start_periods=1:start_silence=0.1:start_threshold=-45dB,areverse,"
    "silenceremove=start_periods=1:start_silence=0.1:start_threshold=-45dB,areverse,"
    "loudnorm=I=-18:TP=-2:LRA=11"
)
PLACEHOLDER_VOICES = {"vi": ("vi-vn-x-south", "vi"), "en": ("en-us", "en")}
PLACEHOLDER_RATE = 150  # words a minute: slower than espeak's own 175
MIMETYPES = {"wav": "audio/wav", "mp3": "audio/mpeg"}


class Refused(ValueError):
    """An upload that cannot be kept; STATUS is the HTTP answer, REASON names the rule."""

    def __init__(self, reason, status):
        super().__init__(reason)
        self.reason, self.status = reason, status


def audio_folder(config):
    """The folder beside the database that holds the prompt audio."""
    return Path(config["DATABASE_PATH"]).resolve().parent / "prompt-audio"


def sniff(data):
    """The kind of audio DATA holds by its first bytes, or None when it is not audio."""
    head = data[:12]
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "wav"
    if head[:3] == b"ID3" or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0):
        return "mp3"
    if head[:4] == b"OggS":
        return "ogg"
    if head[:4] == b"\x1a\x45\xdf\xa3":
        return "webm"
    if head[4:8] == b"ftyp":
        return "m4a"
    if head[:4] == b"fLaC":
        return "flac"
    return None


def accept_upload(db, config, *, commune_id, key, language, data, actor):
    """Store an upload as it came and queue it for the worker; return its pending row."""
    entry = catalogue.entry(db, commune_id, key, language)
    if entry is None:
        raise Refused("unknown", 404)
    if len(data) > MAX_UPLOAD_BYTES:
        raise Refused("too_big", 413)
    kind = sniff(data)
    if kind is None:
        raise Refused("not_audio", 415)
    token = secrets.token_urlsafe(18)
    folder = private_dir(audio_folder(config) / "raw")
    raw = write_private(folder / f"{token}.{kind}", data)
    with transaction(db):
        row = {
            "commune_id": commune_id,
            "prompt": key,
            "language": language,
            "text": entry.text,
            "text_hash": entry.text_hash,
            "token": token,
            "status": "pending",
            "raw_path": str(raw),
            "bytes": len(data),
            "created_by": actor,
            "created_at": clock.iso(clock.now()),
        }
        row["id"] = db["prompt_recordings"].insert(row).last_pk
        audit.record(
            db, actor=actor, action="prompt_recording_uploaded", target=f"{key}/{language}"
        )
    return row


def wav_seconds(path):
    """The length of a WAV file in seconds."""
    with wave.open(str(path), "rb") as audio:
        return audio.getnframes() / audio.getframerate()


def convert(raw, out):
    """Convert RAW to WAV PCM 8 kHz mono at OUT, trimmed and levelled; False if unreadable."""
    command = [FFMPEG, "-nostdin", "-v", "error", "-y", "-i", str(raw), "-af", TRIM_AND_LEVEL]
    command += ["-ar", "8000", "-ac", "1", "-c:a", "pcm_s16le", "-f", "wav", str(out)]
    done = subprocess.run(command, capture_output=True, timeout=CONVERT_TIMEOUT_SECONDS)
    return done.returncode == 0 and Path(out).exists()


def greeting_seconds(db, commune_id, language, replacing=None):
    """Seconds of the greeting and main menu, by recordings where current, else estimated.

    REPLACING is (key, seconds) of a recording about to be saved.
    """
    other = "en" if language == "vi" else "vi"

    def length(key, lang):
        if replacing and replacing[0] == key and lang == language:
            return replacing[1]
        entry = catalogue.entry(db, commune_id, key, lang)
        if entry is None:
            return 0.0
        found = current(recordings(db, commune_id, lang), entry)
        return found["duration_ms"] / 1000 if found else entry.estimate

    greeting = max(length("greeting", language), length("greeting_callback", language))
    rest = [key for key in catalogue.GREETING_AND_MENU[2:-1]]
    return greeting + sum(length(key, language) for key in rest) + length("switch_language", other)


def too_long(db, row, entry, seconds, checks=()):
    """The rule a recording of SECONDS would break, or None.

    CHECKS, (db, row, seconds) -> rule or None, are the voice channel's measures of the
    answers that would play it (app.extensions["prompt_length_checks"]).
    """
    if entry.in_greeting:
        total = greeting_seconds(db, row["commune_id"], row["language"], (entry.key, seconds))
        if total > catalogue.GREETING_SECONDS:
            return "greeting"
    # The budget stays: a visit's confirmation names the caller's own request and the
    # pieces said in it vary, so those answers are not rendered by the measure below.
    elif seconds > entry.budget:
        return "budget"
    return next(filter(None, (check(db, row, seconds) for check in checks)), None)


def convert_pending(db, config, length_checks=()):
    """Convert every pending upload; return how many were kept and refused.

    LENGTH_CHECKS measure the answers that would play a recording (the voice channel hands
    them to the app as app.extensions["prompt_length_checks"]; the caller passes them in).
    """
    verdicts = {"kept": 0, "refused": 0}
    for row in rows(db, "SELECT * FROM prompt_recordings WHERE status = 'pending' ORDER BY id"):
        # The worker binds no commune: each upload is judged and logged in its own.
        with communes.bound(communes.by_id(db, row["commune_id"])):
            verdicts[_convert_one(db, config, row, tuple(length_checks))] += 1
    return verdicts


def _convert_one(db, config, row, checks):
    """Convert pending ROW, record the verdict and return it ("kept" or "refused")."""
    out = private_dir(audio_folder(config)) / f"{row['token']}.wav"
    ok = convert(row["raw_path"], out)
    seconds = wav_seconds(out) if ok else 0.0
    entry = catalogue.entry(db, row["commune_id"], row["prompt"], row["language"])
    reason = "not_audio" if not ok else "silent" if seconds < 0.2 else None
    reason = reason or (too_long(db, row, entry, seconds, checks) if entry else "unknown")
    if reason:
        out.unlink(missing_ok=True)
        _finish(db, row, status="refused", error=reason, seconds=seconds)
    else:
        _finish(db, row, status="ready", path=str(out), seconds=seconds)
    Path(row["raw_path"]).unlink(missing_ok=True)
    return "refused" if reason else "kept"


def _finish(db, row, *, status, seconds, path=None, error=None):
    """Record the worker's verdict; a kept recording replaces the older ones of its prompt."""
    with transaction(db):
        if status == "ready":
            _drop_others(db, row)
        db["prompt_recordings"].update(
            row["id"],
            {
                "status": status,
                "path": path,
                "mimetype": "audio/wav" if path else None,
                "duration_ms": round(seconds * 1000),
                "error": error,
            },
        )
        action = "prompt_recording_saved" if status == "ready" else "prompt_recording_refused"
        note = f"{seconds:.1f} s" + (f", {error}" if error else "")
        target = f"{row['prompt']}/{row['language']}"
        audit.record(
            db, actor=row["created_by"] or "worker", action=action, target=target, note=note
        )


def _same_prompt(db, commune_id, key, language):
    """The rows of one prompt and language of one commune (the province's when None)."""
    return rows(
        db,
        "SELECT * FROM prompt_recordings WHERE commune_id IS :commune_id AND prompt = :key"
        " AND language = :language",
        {"commune_id": commune_id, "key": key, "language": language},
    )


def _drop_others(db, row, placeholders_only=False):
    """Delete every other finished row of ROW's prompt, and its file.

    A placeholder replaces only placeholders: a person's stale recording stays listed, so
    the officer sees what to record again.
    """
    for other in _same_prompt(db, row["commune_id"], row["prompt"], row["language"]):
        if other["id"] == row["id"] or other["status"] == "pending":
            continue
        if not placeholders_only or other["placeholder"]:
            _remove(db, other)


def _remove(db, row):
    """Delete one row and its file."""
    if row["path"]:
        Path(row["path"]).unlink(missing_ok=True)
    db["prompt_recordings"].delete(row["id"])


def delete(db, *, commune_id, key, language, actor):
    """Delete the commune's recordings of a prompt; return how many went."""
    with transaction(db):
        found = _same_prompt(db, commune_id, key, language)
        for row in found:
            _remove(db, row)
        if found:
            target = f"{key}/{language}"
            audit.record(db, actor=actor, action="prompt_recording_deleted", target=target)
    return len(found)


def recordings(db, commune_id, language):
    """{key: [rows]} of the newest finished recordings, the commune's before the province's."""
    found = {}
    for row in rows(
        db,
        "SELECT * FROM prompt_recordings WHERE language = :language"
        " AND (commune_id = :commune_id OR commune_id IS NULL)"
        " ORDER BY commune_id IS NULL, id DESC",
        {"commune_id": commune_id, "language": language},
    ):
        found.setdefault(row["prompt"], []).append(row)
    return found


def current(found, entry):
    """The ready recording of ENTRY made for its present words, or None."""
    for row in found.get(entry.key, ()):
        if row["status"] == "ready" and row["text_hash"] == entry.text_hash:
            return row
    return None


def by_token(db, token):
    """The ready recording with TOKEN, or None."""
    found = rows(
        db,
        "SELECT * FROM prompt_recordings WHERE token = :token AND status = 'ready'",
        {"token": token},
    )
    return found[0] if found else None


def played_seconds(db, url):
    """Seconds a <Play> of URL lasts: its recording's length, 0 for any other URL."""
    token = str(url or "").rsplit("/", 1)[-1].partition(".")[0]
    row = by_token(db, token) if token else None
    return row["duration_ms"] / 1000 if row else 0.0


def state_of(found, entry):
    """(state, row) of ENTRY: current, stale, pending, refused or missing."""
    own = found.get(entry.key, ())
    playing = current(found, entry)
    if playing:
        return "current", playing
    for status in ("pending", "refused", "ready"):
        row = next((item for item in own if item["status"] == status), None)
        if row:
            return ("stale" if status == "ready" else status), row
    return "missing", None


def coverage(db, commune_id, language):
    """{state: [entries]} for every entry of the commune; placeholders counted apart."""
    found = recordings(db, commune_id, language)
    counts = {"recorded": [], "placeholder": [], "stale": [], "missing": [], "pending": []}
    for entry in catalogue.entries(db, commune_id, language):
        state, row = state_of(found, entry)
        if state == "current":
            state = "placeholder" if row["placeholder"] else "recorded"
        counts["missing" if state == "refused" else state].append(entry)
    return counts


def espeak_voice(language):
    """The espeak-ng voice for LANGUAGE: the Southern Vietnamese one when it is installed."""
    wanted, fallback = PLACEHOLDER_VOICES[language]
    listed = subprocess.run(
        [ESPEAK, f"--voices={language}"], capture_output=True, text=True, check=False
    ).stdout
    return wanted if wanted in listed.split() else fallback


def synthesise(text, voice, out):
    """Speak TEXT with espeak-ng into OUT as WAV PCM 8 kHz mono, trimmed and levelled."""
    with tempfile.TemporaryDirectory() as scratch:
        spoken = Path(scratch) / "spoken.wav"
        subprocess.run(
            [ESPEAK, "-v", voice, "-s", str(PLACEHOLDER_RATE), "-w", str(spoken), text],
            check=True,
            capture_output=True,
            timeout=CONVERT_TIMEOUT_SECONDS,
        )
        # sox starts in milliseconds, which matters for a few hundred short clips.
        effects = ["silence", "1", "0.05", "1%", "reverse", "silence", "1", "0.05", "1%"]
        effects += ["reverse", "norm", "-3"]
        command = [SOX, str(spoken), "-r", "8000", "-c", "1", "-b", "16", str(out), *effects]
        subprocess.run(command, check=True, capture_output=True, timeout=CONVERT_TIMEOUT_SECONDS)


def make_placeholders(db, config, commune_id, *, actor="placeholders", cache=None):
    """Give every entry with no current recording a synthetic one; return how many were made.

    CACHE, a folder, keeps each clip by voice and words, so a second database (a test's)
    copies instead of speaking again.
    """
    made = 0
    folder = private_dir(audio_folder(config))
    for language in catalogue.LANGUAGES:
        voice = espeak_voice(language)
        found = recordings(db, commune_id, language)
        for entry in catalogue.entries(db, commune_id, language):
            if current(found, entry):
                continue
            token = secrets.token_urlsafe(18)
            out = folder / f"{token}.wav"
            kept = Path(cache) / f"{voice}-{entry.text_hash}.wav" if cache else None
            if kept and kept.exists():
                shutil.copyfile(kept, out)
            else:
                synthesise(entry.text, voice, out)
                if kept:
                    shutil.copyfile(out, kept)
            row = {
                "commune_id": commune_id,
                "prompt": entry.key,
                "language": language,
                "text": entry.text,
                "text_hash": entry.text_hash,
                "token": token,
                "status": "ready",
                "path": str(out),
                "mimetype": "audio/wav",
                "duration_ms": round(wav_seconds(out) * 1000),
                "bytes": out.stat().st_size,
                "placeholder": 1,
                "created_by": actor,
                "created_at": clock.iso(clock.now()),
            }
            with transaction(db):
                row["id"] = db["prompt_recordings"].insert(row).last_pk
                _drop_others(db, row, placeholders_only=True)
            made += 1
    if made:
        with transaction(db):
            audit.record(db, actor=actor, action="prompt_placeholders_made", note=str(made))
    return made


def estimate_or_recorded(found, entry):
    """Seconds ENTRY takes: its current recording's length, else the words' estimate."""
    row = current(found, entry)
    return row["duration_ms"] / 1000 if row else speech.seconds(entry.text, entry.language)
