"""Saying a prompt: <Play> the commune's current recording of it, else <Say> its words.

A prompt with a changing part plays its recorded fixed parts around the part that changes,
which is played from recorded pieces (digits, numbers, weekdays, months, sessions, hamlet
and procedure names) when every piece it needs is recorded, and said otherwise. A prompt
with nothing recorded is one <Say>, as before recordings existed.
"""

import re
import string

from flask import current_app, url_for

from app.prompts import audio as prompt_audio
from app.prompts import catalogue

VI_DAY = re.compile(r"^(?P<weekday>.+), ngày (?P<day>\d+) tháng (?P<month>\d+)$")
EN_DAY = re.compile(r"^(?P<weekday>\w+), (?P<day>\d+) (?P<month>\w+)$")


def heard(turn, language):
    """What this call can play in LANGUAGE: (recordings, overrides, piece words), once a turn."""
    cache = turn.audio
    if language not in cache:
        db, commune_id = turn.db, turn.commune_id
        found = prompt_audio.recordings(db, commune_id, language)
        edited = catalogue.overrides(db, commune_id) if "edited" not in cache else cache["edited"]
        cache["edited"] = edited
        words = dict(catalogue.pieces(turn.db, language)) if found else {}
        cache[language] = (found, edited, words)
    return cache[language]


def audio_url(row):
    """The public URL of a recording's file version."""
    path = url_for("voice.prompt_audio_file", token=row["token"], ext="wav")
    return current_app.config["PUBLIC_BASE_URL"] + path


def playing(found, key, language, words):
    """The current recording of entry KEY with WORDS, or None."""
    return prompt_audio.current(found, catalogue.Entry(key, language, words, "piece", key))


def piece_keys(field, value, language, words):
    """The piece keys that say VALUE of hole FIELD, or None when no pieces can."""
    value = str(value)
    if value.isdigit():
        number = int(value)
        if number < 10:
            return [f"digit.{number}"]
        if number <= 31:
            return [f"number.{number}"]
        return [f"digit.{digit}" for digit in value]
    if field == "day":
        match = (VI_DAY if language == "vi" else EN_DAY).match(value)
        if not match:
            return None
        by_words = {said: key for key, said in words.items()}
        weekday = by_words.get(match["weekday"])
        month = match["month"]
        if not month.isdigit():
            month = (
                str(catalogue.EN_MONTHS.index(month) + 1) if month in catalogue.EN_MONTHS else ""
            )
        if not weekday or not month.isdigit():
            return None
        return [weekday, f"day.{int(match['day'])}", f"month.{month}"]
    by_words = {said: key for key, said in words.items() if not key.startswith(("digit", "number"))}
    key = by_words.get(value)
    return [key] if key else None


def pieces_for(found, field, value, language, words):
    """The recordings that say VALUE, or None unless every piece is recorded."""
    keys = piece_keys(field, value, language, words)
    if not keys:
        return None
    rows = [playing(found, key, language, words.get(key, "")) for key in keys]
    return rows if all(rows) else None


def render(container, turn, name, language, values, speak):
    """Speak prompt NAME in LANGUAGE into CONTAINER; SPEAK(container, text, language) says."""
    found, edited, words = heard(turn, language)
    template = catalogue.template(turn.db, turn.commune_id, name, language, edited)
    if not found:
        speak(container, template.format(**values), language)
        return
    items = []
    whole = not catalogue.fields_of(template)
    for index, (literal, field, _spec, _conv) in enumerate(string.Formatter().parse(template), 1):
        if literal:
            said = literal.strip().lstrip(".,;: ").strip()
            key = name if whole else f"{name}.{index}"
            row = playing(found, key, language, said) if any(c.isalpha() for c in said) else None
            items.append(("play", row) if row else ("say", literal))
        if field:
            rows = pieces_for(found, field, values[field], language, words)
            items += [("play", row) for row in rows] if rows else [("say", str(values[field]))]
    emit(container, items, language, speak)


def emit(container, items, language, speak):
    """Play the recorded items and say the others, neighbouring words in one <Say>."""
    if not any(kind == "play" for kind, _ in items):
        speak(container, "".join(text for _kind, text in items).strip(), language)
        return
    said = []
    for kind, item in [*items, ("play", None)]:
        if kind == "say":
            said.append(item)
            continue
        text = " ".join("".join(said).split())
        if any(char.isalnum() for char in text):
            speak(container, text, language)
        said = []
        if item is not None:
            container.play(audio_url(item))


def render_ref(container, turn, ref, language, fallback, speak):
    """Read a digit code twice from recorded pieces; FALLBACK() says it as before."""
    found, _edited, words = heard(turn, language)
    if not found or not str(ref).isdigit():
        fallback()
        return
    template = catalogue.template(turn.db, turn.commune_id, "ref_number", language)
    items = []
    for index, (literal, field, _spec, _conv) in enumerate(string.Formatter().parse(template), 1):
        if literal:
            said = literal.strip().lstrip(".,;: ").strip()
            row = playing(found, f"ref_number.{index}", language, said) if said else None
            items.append(("play", row) if row else ("say", literal))
        if field:
            rows = [playing(found, f"digit.{d}", language, words[f"digit.{d}"]) for d in ref]
            if not all(rows):
                fallback()
                return
            items += [("play", row) for row in rows]
    if not any(kind == "play" for kind, _ in items):
        fallback()
        return
    emit(container, items, language, speak)


def render_summary(container, turn, procedure_code, summary, speak):
    """Play a procedure's recorded spoken summary, or say it."""
    found, _edited, _words = heard(turn, turn.lang)
    key = f"procedure.{procedure_code}.summary"
    row = playing(found, key, turn.lang, summary) if found else None
    if row:
        container.play(audio_url(row))
    else:
        speak(container, summary, turn.lang)
