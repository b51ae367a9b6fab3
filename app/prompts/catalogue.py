"""Every prompt the phone can say, as staff record it: its key, its words and their version.

A prompt whose words never change is one recording. A prompt with a part that changes
("Cán bộ xã sẽ đến nhà ông bà, ở ấp {hamlet}.") is recorded in its fixed parts
("visit_known.1"), and the changing part is played from recorded pieces: the digits, the
numbers 1-31, the weekdays, the months, the sessions, each hamlet's name and each
procedure's short name. A procedure's spoken summary is one recording. The words are the
table in app.prompts.words, which the voice channel says.
"""

import hashlib
import string
import unicodedata
from dataclasses import dataclass

from app import communes
from app.accounts import audit
from app.catalogue import guidance, hamlets
from app.infra import clock
from app.language import days, speech
from app.language.speech import DIGIT_NAMES_VI
from app.language.texts import strip_diacritics
from app.prompts.words import DEFAULT_SPOKEN_COMMUNE, PROMPTS, SESSIONS
from db import rows, transaction

LANGUAGES = ("vi", "en")
# The 30 s rule covers the greeting with the main menu; every other answer has 40 s.
GREETING_AND_MENU = (
    "greeting",
    "greeting_callback",
    "no_otp",
    "menu_visit",
    "menu_guidance",
    "menu_schedule",
    "menu_message",
    "menu_repeat",
    "switch_language",
)
GREETING_SECONDS, ANSWER_SECONDS = 30, 40
# A recording may take this much longer than the words' estimate at the elderly pace, and
# no more. Budgets alone do not bound an answer (a list of hamlets at every budget lasts
# far past 40 s): the worker also measures the answers that would play the recording.
BUDGET_FACTOR, BUDGET_SLACK = 1.5, 1.0
GROUPS = ("prompt", "part", "summary", "piece")
EN_NUMBERS = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen twenty"
).split()
EN_MONTHS = (
    "January February March April May June July August September October November December"
).split()


def table():
    """The prompts the voice channel says: {name: {language: words}}."""
    return PROMPTS


def spoken_commune(commune, language):
    """A commune's name as the voice says it in LANGUAGE ("xã Phú Lâm" mid-sentence)."""
    name = commune.spoken_name if commune else DEFAULT_SPOKEN_COMMUNE
    name = name if language == "vi" else strip_diacritics(name)
    # Mid-sentence ("Ủy ban xã Phú Lâm") the word for commune is not a proper name.
    return "xã" + name[2:] if language == "vi" and name.startswith("Xã ") else name


@dataclass(frozen=True)
class Entry:
    """One recordable prompt, part or piece in one language."""

    key: str
    language: str
    text: str
    group: str  # prompt | part | summary | piece
    prompt: str  # the prompt it belongs to (its own key for a piece)

    @property
    def text_hash(self):
        return text_hash(self.text)

    @property
    def estimate(self):
        """Seconds the words take at the phone's pace."""
        return speech.seconds(self.text, self.language)

    @property
    def budget(self):
        """The longest recording of these words that keeps every answer in its limit."""
        return round(self.estimate * BUDGET_FACTOR + BUDGET_SLACK, 1)

    @property
    def in_greeting(self):
        return self.prompt in GREETING_AND_MENU


def text_hash(text):
    """The version of a text: its words, however they are spaced or composed."""
    normal = " ".join(unicodedata.normalize("NFC", text or "").split())
    return hashlib.sha256(normal.encode()).hexdigest()[:16]


def vi_number(n):
    """A number up to 99 in Vietnamese words ("hai mươi mốt")."""
    if n < 10:
        return DIGIT_NAMES_VI[n]
    tens, ones = divmod(n, 10)
    head = "mười" if tens == 1 else DIGIT_NAMES_VI[tens] + " mươi"
    if ones == 0:
        return head
    if ones == 5:
        return head + " lăm"
    if ones == 1 and tens > 1:
        return head + " mốt"
    if ones == 4 and tens > 1:
        return head + " tư"
    return head + " " + DIGIT_NAMES_VI[ones]


def en_number(n):
    """A number up to 99 in English words."""
    if n <= 20:
        return EN_NUMBERS[n]
    tens = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
    head, ones = divmod(n, 10)
    return tens[head] + ("-" + EN_NUMBERS[ones] if ones else "")


def number_words(n, language):
    """A number as the voice says it."""
    return vi_number(n) if language == "vi" else en_number(n)


def overrides(db, commune_id):
    """{(prompt, language): text} the commune's admins have put in place of the default."""
    found = rows(
        db,
        "SELECT prompt, language, text FROM prompt_texts WHERE commune_id = :commune_id",
        {"commune_id": commune_id},
    )
    return {(row["prompt"], row["language"]): row["text"] for row in found}


def template(db, commune_id, name, language, edited=None):
    """The words of prompt NAME with the commune's name in, and its other holes left open."""
    edited = overrides(db, commune_id) if edited is None else edited
    entry = table()[name]
    words = edited.get((name, language)) or entry.get(language) or entry["vi"]
    if "{commune}" in words:
        commune = communes.by_id(db, commune_id)
        words = words.replace("{commune}", spoken_commune(commune, language))
    return words


def fields_of(words):
    """The names of the holes in WORDS."""
    return [field for _literal, field, _spec, _conv in string.Formatter().parse(words) if field]


def parts(name, words):
    """[(key, words)] of the fixed parts of a template; one whole entry when it has no holes."""
    if not fields_of(words):
        return [(name, words)]
    found = []
    for index, (literal, _field, _spec, _conv) in enumerate(string.Formatter().parse(words), 1):
        said = literal.strip().lstrip(".,;: ").strip()
        if any(char.isalpha() for char in said):
            found.append((f"{name}.{index}", said))
    return found


def pieces(db, language):
    """[(key, words)] of the pieces a changing part is built from."""
    found = [(f"digit.{n}", number_words(n, language)) for n in range(10)]
    found += [(f"number.{n}", number_words(n, language)) for n in range(10, 32)]
    names = days.WEEKDAYS_VI if language == "vi" else days.WEEKDAYS_EN
    found += [(f"weekday.{n}", name) for n, name in enumerate(names)]
    found += [(f"day.{n}", f"ngày {n}" if language == "vi" else str(n)) for n in range(1, 32)]
    months = [f"tháng {n}" for n in range(1, 13)] if language == "vi" else EN_MONTHS
    found += [(f"month.{n}", name) for n, name in enumerate(months, 1)]
    found += [(f"session.{key}", words) for key, words in SESSIONS[language].items()]
    for hamlet in hamlets.active(db):
        found.append((f"hamlet.{hamlet['code']}", said_name(hamlet["name"], language)))
    for procedure in guidance.all_procedures(db):
        name = said_name(guidance.spoken_name(procedure, language), language)
        found.append((f"procedure.{procedure['code']}.name", name))
    return found


def said_name(name, language):
    """A place or procedure name as that language's voice says it."""
    return name if language == "vi" else strip_diacritics(name)


def entries(db, commune_id, language):
    """Every recordable entry of the commune in LANGUAGE, in the order the page lists them."""
    commune = communes.by_id(db, commune_id)
    if commune is None:
        return []
    with communes.bound(commune):
        return _entries(db, commune_id, language)


def _entries(db, commune_id, language):
    """entries() with the commune bound: its hamlets and its catalogue."""
    edited = overrides(db, commune_id)
    found = []
    for name in table():
        words = template(db, commune_id, name, language, edited)
        group = "prompt" if not fields_of(words) else "part"
        found += [Entry(key, language, said, group, name) for key, said in parts(name, words)]
    for procedure in guidance.all_procedures(db):
        summary = guidance.spoken_summary(procedure, language)
        if summary:
            key = f"procedure.{procedure['code']}.summary"
            found.append(Entry(key, language, summary, "summary", key))
    found += [Entry(key, language, said, "piece", key) for key, said in pieces(db, language)]
    return found


def entry(db, commune_id, key, language):
    """One entry by key, or None."""
    return next((item for item in entries(db, commune_id, language) if item.key == key), None)


class TextRefused(ValueError):
    """An edited prompt text that cannot be used; the message says why."""


def edit_text(db, commune_id, name, language, words, *, actor):
    """Put WORDS in place of prompt NAME's default for the commune; blank restores the default."""
    if name not in table() or language not in LANGUAGES:
        raise KeyError(name)
    words = " ".join((words or "").split())
    default = table()[name].get(language) or table()[name]["vi"]
    # The commune's name may be written out: it is the same for every call of the commune.
    if words and set(fields_of(words)) - {"commune"} != set(fields_of(default)) - {"commune"}:
        raise TextRefused("holes")
    if words and speech.seconds(words, language) > speech.seconds(default, language) * 1.25 + 1:
        raise TextRefused("long")
    with transaction(db):
        if not words or words == default:
            db["prompt_texts"].delete_where(
                "commune_id = :commune_id AND prompt = :prompt AND language = :language",
                {"commune_id": commune_id, "prompt": name, "language": language},
            )
        else:
            db["prompt_texts"].upsert(
                {
                    "commune_id": commune_id,
                    "prompt": name,
                    "language": language,
                    "text": words,
                    "updated_by": actor,
                    "updated_at": clock.iso(clock.now()),
                },
                pk=("commune_id", "prompt", "language"),
            )
        audit.record(db, actor=actor, action="prompt_text_edited", target=f"{name}/{language}")
