"""What residents say about themselves: age, living alone, being hard to move, and a name.

Pure functions over the resident's own words, with and without accents. They only suggest:
an officer accepts each fact with one tap before it changes the profile (and so the
priority, the route order and who a full trip keeps).
"""

import re
import unicodedata
from dataclasses import dataclass

from app.language.texts import strip_diacritics

# An age worth a visit's priority is an adult's; a child's age is about a certificate.
OLDEST, YOUNGEST = 110, 40
AGE_75 = 75
_AGE = re.compile(r"(?<![\d/.])(\d{2,3})\s*(?:tuoi\b|t\b)")
_BORN = re.compile(r"\bsinh (?:nam )?(19\d\d)\b")
_ALONE = re.compile(r"\b(?:song|o) (?:mot|1) minh\b|\bneo don\b|\bkhong (?:co )?ai cham soc\b")
_NOT_ALONE = re.compile(r"\bkhong (?:song|o) (?:mot|1) minh\b")
_HARD_TO_MOVE = re.compile(
    r"\bliet\b|\bnam (?:mot|1) cho\b|\bdi lai kho\b|\bxe lan\b|\bkhong (?:tu )?di (?:lai )?duoc\b"
    r"|\bkhong the di\b|\bbai liet\b|\btai bien\b"
)
# "tên (tôi) là X", "tôi tên X", "tôi là (ông|bà|cô|chú) X": X is two to five capitalised words.
_NAME_LEAD = re.compile(
    r"\b(?:ten toi la|ten toi|toi ten la|toi ten|toi la (?:ong |ba |co |chu |anh |chi )?)\s*"
)
_NAME_WORD = re.compile(r"[^\W\d_]+")


@dataclass(frozen=True)
class Facts:
    """What one message says: an age, living alone, hard to move, a name (None if unsaid)."""

    age: int | None = None
    lives_alone: bool = False
    limited_mobility: bool = False
    name: str | None = None


@dataclass(frozen=True)
class Suggestion:
    """One fact the profile does not say yet: FIELD (age, lives_alone, ...) and its VALUE."""

    field: str
    value: object


def _plain(text):
    """Composed text, and the same text lower-cased without marks (same length, same places)."""
    composed = unicodedata.normalize("NFC", text or "")
    return composed, strip_diacritics(composed).lower()


def _age(plain, today):
    """The age said, or worked out from a year of birth, or None."""
    for match in _AGE.finditer(plain):
        age = int(match[1])
        if YOUNGEST <= age <= OLDEST:
            return age
    born = _BORN.search(plain)
    if born and today:
        age = today.year - int(born[1])
        if YOUNGEST <= age <= OLDEST:
            return age
    return None


def _name(composed, plain):
    """The name after "tên tôi là" and the like, as written (capitalised words), or None."""
    for lead in _NAME_LEAD.finditer(plain):
        words = []
        for word in _NAME_WORD.finditer(composed, lead.end()):
            gap = composed[lead.end() if not words else words[-1].end() : word.start()]
            if gap.strip() or not word[0][0].isupper():
                break
            words.append(word)
        if 2 <= len(words) <= 5:
            return " ".join(word[0] for word in words)
    return None


def extract(text, today=None):
    """Read the facts a resident states in TEXT (TODAY turns a year of birth into an age)."""
    composed, plain = _plain(text)
    return Facts(
        age=_age(plain, today),
        lives_alone=bool(_ALONE.search(plain)) and not _NOT_ALONE.search(plain),
        limited_mobility=bool(_HARD_TO_MOVE.search(plain)),
        name=_name(composed, plain),
    )


def suggestions(text, resident, today):
    """The facts in TEXT that RESIDENT's profile does not say yet, in the order shown."""
    facts = extract(text, today)
    found = []
    if (
        facts.age is not None
        and not resident["birth_year"]
        and (facts.age < AGE_75 or not resident["age_75_plus"])
    ):
        found.append(Suggestion("age", facts.age))
    if facts.lives_alone and not resident["lives_alone"]:
        found.append(Suggestion("lives_alone", True))
    if facts.limited_mobility and not resident["limited_mobility"]:
        found.append(Suggestion("limited_mobility", True))
    if facts.name and not (resident["name"] or "").strip():
        found.append(Suggestion("name", facts.name))
    return found


def profile_changes(suggestion, today):
    """The profile fields an accepted SUGGESTION sets."""
    if suggestion.field == "age":
        year = today.year - suggestion.value
        return {"age_75_plus": int(suggestion.value >= AGE_75), "birth_year": year}
    if suggestion.field == "name":
        return {"name": suggestion.value}
    return {suggestion.field: 1}
