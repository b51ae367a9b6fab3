"""The voice menu's keys and the helpers that fill and speak its prompts.

The words live in app.prompts.words, which staff record in the console, so callers hear a
familiar local voice; a prompt without a current recording is said by text-to-speech.
"""

import math

from app.catalogue.guidance import MORE_PROCEDURES_KEY
from app.language.speech import DIGIT_NAMES_VI, FOREIGN_LETTERS, LETTER_NAMES_VI
from app.prompts.words import PROMPTS

# The keys of the menus; parametrised here so prompts, routes and tests agree.
KEY_VISIT, KEY_GUIDANCE, KEY_SCHEDULE = "1", "2", "3"
KEY_MESSAGE, KEY_REPEAT, KEY_LANGUAGE, KEY_BACK = "0", "9", "8", "*"
KEY_CONFIRM, KEY_OTHER_HAMLET = "1", "2"
KEY_SEND_SMS, KEY_BOOK = "1", "1"
KEY_MORE_PROCEDURES = MORE_PROCEDURES_KEY  # app.catalogue.guidance: the console shows the same keys


def prompt(name, language="vi", /, **values):
    """Return the text of prompt NAME in LANGUAGE, filled with VALUES."""
    entry = PROMPTS[name]
    return (entry.get(language) or entry["vi"]).format(**values)


def digit_groups(digits):
    """Split a run of digits into groups of two or three, shorter groups first (5 -> 2, 3)."""
    count = max(1, math.ceil(len(digits) / 3))
    size, longer = divmod(len(digits), count)
    sizes = [size] * (count - longer) + [size + 1] * longer
    groups, start = [], 0
    for length in sizes:
        groups.append(digits[start : start + length])
        start += length
    return groups


def spoken_ref(ref, language="vi"):
    """How a reference code is said: a list of (language, text) pieces, in order.

    A digit code is read in groups, digit by digit ("một hai, ba bốn năm"). An older letter
    code is read one character at a time with the Vietnamese letter names; F, J, W and Z
    are not Vietnamese letters, so the English voice says those ("ép, gi, vê kép" would be
    made-up names a caller cannot write down).
    """
    ref = str(ref or "").upper()
    if ref.isdigit():
        groups = digit_groups(ref)
        if language == "en":
            return [("en", ", ".join(" ".join(group) for group in groups))]
        words = (" ".join(DIGIT_NAMES_VI[int(digit)] for digit in group) for group in groups)
        return [("vi", ", ".join(words))]
    if language == "en":
        return [("en", ", ".join(ref))]
    pieces = []
    for char in ref:
        if char.isdigit():
            pieces.append(("vi", DIGIT_NAMES_VI[int(char)]))
        elif char in FOREIGN_LETTERS or char not in LETTER_NAMES_VI:
            pieces.append(("en", char))
        else:
            pieces.append(("vi", LETTER_NAMES_VI[char]))
    return join_pieces(pieces, ", ")


def join_pieces(pieces, separator=" "):
    """Merge neighbouring (language, text) pieces of the same language into one."""
    merged = []
    for language, text in pieces:
        if not text:
            continue
        if merged and merged[-1][0] == language:
            merged[-1] = (language, merged[-1][1] + separator + text)
        else:
            merged.append((language, text))
    return merged


def ref_number_pieces(ref, language="vi"):
    """The prompt that reads a code twice, as (language, text) pieces, one <Say> each."""
    before, between, after = PROMPTS["ref_number"][language].split("{code}")
    code = spoken_ref(ref, language)
    pieces = [(language, before), *code, (language, between), *code, (language, after)]
    return join_pieces(pieces, "")
