"""Speech measures: how long a text takes to say, and what a vi-VN voice is likely to misread.

Length is counted at an elderly-friendly pace of RATE syllables per second, by these rules:
- a Vietnamese word (letters between spaces) is one syllable, as Vietnamese is written;
- an English word (in English speech) counts its vowel groups, at least one ("press" 1,
  "English" 2, "procedure" 3);
- an abbreviation (two or more capitals, "OTP", "CT01") is spelled, so it counts the
  syllables of each letter's name (Vietnamese names in Vietnamese speech: "e lờ" 2) and one
  per digit;
- a number of k digits counts 2k - 1 syllables, an upper bound on how Vietnamese reads it
  (8 "tám" 1, 21 "hai mươi mốt" 3, 2025 "hai nghìn không trăm hai mươi lăm" 7);
- a clause break (, ; : and dashes) adds CLAUSE_PAUSE seconds, a sentence end (. ? !)
  SENTENCE_PAUSE; a spoken piece that does not end a sentence still ends with a sentence
  pause, since the voice stops between two <Say> elements.
"""

import re

from app.language.texts import strip_diacritics

RATE = 2.5  # syllables per second
CLAUSE_PAUSE = 0.25  # seconds
SENTENCE_PAUSE = 0.5

# The names Vietnamese spell letters with, and the letters foreign to the Vietnamese
# alphabet (F, J, W, Z), as they are usually said; used to count spelled abbreviations.
LETTER_NAMES_VI = {
    "A": "a",
    "B": "bê",
    "C": "xê",
    "D": "dê",
    "E": "e",
    "F": "ép",
    "G": "giê",
    "H": "hát",
    "I": "i",
    "J": "gi",
    "K": "ca",
    "L": "e lờ",
    "M": "em mờ",
    "N": "en nờ",
    "O": "o",
    "P": "pê",
    "Q": "quy",
    "R": "e rờ",
    "S": "ét xì",
    "T": "tê",
    "U": "u",
    "V": "vê",
    "W": "vê kép",
    "X": "ích xì",
    "Y": "i dài",
    "Z": "dét",
}
DIGIT_NAMES_VI = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")
FOREIGN_LETTERS = frozenset("FJWZ")  # not in the Vietnamese alphabet
ENGLISH_LETTER_SYLLABLES = {"W": 3}  # "double-u"; every other letter name is one syllable

_TOKEN = re.compile(r"\d+(?:[.,]\d+)*|[^\W\d_]+(?:\d+)?|[.?!]+|[,;:\u2013\u2014-]", re.UNICODE)
_SENTENCE_END = re.compile(r"[.?!]+$")
_ABBREVIATION = re.compile(r"^(?=(?:.*[A-Z]){2})[A-Za-z]+\d*$")
_ENGLISH_VOWELS = re.compile(r"[aeiouy]+")

# A Vietnamese syllable, folded to ASCII: an initial consonant, one to three vowels, a final.
_VIETNAMESE_SYLLABLE = re.compile(
    r"^(?:ngh|ng|gh|gi|kh|nh|ph|qu|th|tr|ch|[bcdghklmnprstvx])?"
    r"[aeiouy]{1,3}"
    r"(?:ch|nh|ng|[cmnpt])?$"
)
# What a vi-VN voice is known to get wrong: brackets, grouped sums ("2.000"), symbols, and
# letters run into digits ("CT01", "15h").
_MISREAD_PATTERNS = (
    re.compile(r"[()\[\]{}]"),
    re.compile(r"\d{1,3}(?:[.,]\d{3})+"),
    re.compile(r"[/%&@#+=*_~^<>|\\]"),
    re.compile(r"\b(?:[^\W\d_]+\d+|\d+[^\W\d_]+)\w*", re.UNICODE),
)


def _english_syllables(word):
    """Estimate an English word's syllables from its vowel groups."""
    lower = word.lower()
    groups = len(_ENGLISH_VOWELS.findall(lower))
    if lower.endswith("e") and not lower.endswith(("le", "ee")) and groups > 1:
        groups -= 1  # a silent final e: "store", "phone"
    return max(1, groups)


def _spelled(token, language):
    """Syllables of an abbreviation said letter by letter, one per digit."""
    count = 0
    for char in token.upper():
        if char.isdigit():
            count += 1
        elif language == "vi":
            count += len(LETTER_NAMES_VI.get(char, char).split())
        else:
            count += ENGLISH_LETTER_SYLLABLES.get(char, 1)
    return count


def syllables(text, language="vi"):
    """Count the syllables of TEXT as a LANGUAGE voice says it (see the module's rules)."""
    count = 0
    for token in _TOKEN.findall(text or ""):
        if token[0].isdigit():
            count += 2 * len(re.sub(r"\D", "", token)) - 1
        elif not token[0].isalpha():
            continue
        elif _ABBREVIATION.match(token) or any(char.isdigit() for char in token):
            count += _spelled(token, language)
        elif language == "vi":
            count += 1
        else:
            count += _english_syllables(token)
    return count


def pauses(text):
    """Seconds of pauses at the punctuation of TEXT, ending with a sentence pause."""
    total = 0.0
    for token in _TOKEN.findall(text or ""):
        if token[0] in ".?!":
            total += SENTENCE_PAUSE
        elif token in ",;:-\u2013\u2014":
            total += CLAUSE_PAUSE
    if not _SENTENCE_END.search((text or "").strip()):
        total += SENTENCE_PAUSE
    return total


def seconds(text, language="vi"):
    """Seconds a voice takes to say TEXT at RATE, pauses included."""
    if not (text or "").strip():
        return 0.0
    return syllables(text, language) / RATE + pauses(text)


def _foreign_word(word):
    """Tell whether WORD is no Vietnamese syllable (an abbreviation, English, a foreign letter)."""
    if len(word) == 1:
        return word.upper() in FOREIGN_LETTERS  # a lone letter, as in "Phú Hòa B", is spelled
    if word[1:] != word[1:].lower():
        return True  # capitals inside a word: "OTP", "VNeID"
    return not _VIETNAMESE_SYLLABLE.match(strip_diacritics(word).lower())


def misreadings(text):
    """Return the pieces of Vietnamese TEXT a vi-VN voice is likely to misread, in order.

    Brackets, grouped sums ("2.000 đồng"), symbols, letters run into digits ("CT01"), and
    words that are no Vietnamese syllable: abbreviations ("OTP", "VNeID") and English
    ("CH Play"). Each needs a spoken form ("ô tê pê", "hai nghìn đồng").
    """
    text = text or ""
    spans = [match.span() for pattern in _MISREAD_PATTERNS for match in pattern.finditer(text)]
    spans += [
        match.span()
        for match in re.finditer(r"[^\W\d_]+", text, re.UNICODE)
        if _foreign_word(match.group())
    ]
    pieces, covered = [], -1
    for start, end in sorted(spans, key=lambda span: (span[0], -span[1])):
        if start >= covered:  # a word inside "CT01" is the same piece
            pieces.append(text[start:end])
        covered = max(covered, end)
    return pieces
