"""Keyword parser: turn what a resident typed into an intent, whatever the accents or typos.

The pipeline follows how residents write: fold diacritics, case and punctuation; drop a
leading carrier-style DK; then try an exact keyword, the first words, a one-letter typo in the
first words, and finally a known phrase anywhere in the text. The keyword table itself is
app.language.keywords, which Open311 lists too.
"""

import re
from dataclasses import dataclass, field

from rapidfuzz import fuzz
from rapidfuzz.distance import OSA

from app.language.keywords import (
    DIGIT,
    KEYWORDS,
    LANG_EN,
    LANG_VI,
    OPT_IN,
    OPT_OUT,
    PROCEDURE,
)
from app.language.texts import fold

# Phrases recognised anywhere in a sentence ("toi muon xin den nha"), as whole words only.
ANYWHERE = {"DENNHA", "XINDENNHA", "HUYHEN"}
# Short words that mean something else at the start of a sentence ("vì", "gấp", "đặt"):
# they count only as the whole message.
WHOLE_ONLY = {"EN", "VI", "GAP", "DAT"}
SWITCHES = {OPT_OUT, OPT_IN, LANG_EN, LANG_VI}
# Synonyms too generic to trust inside a sentence or with a typo.
GENERIC = {"DAT", "KS", "DD2", "HOSO"}
FILLER = {"SO", "AP", "CHON", "NUMBER", "NO", "SOS"}
MAX_PREFIX_WORDS = 4
MAX_SPAN_WORDS = 5
MIN_FUZZY = 4
SHORT_TYPO = 6
ENGLISH_HINTS = {
    "HELLO",
    "HI",
    "PLEASE",
    "THE",
    "WHAT",
    "WHEN",
    "HOW",
    "NEED",
    "WANT",
    "MY",
    "IS",
    "ARE",
    "YOU",
    "THANK",
    "THANKS",
    "I",
    "ME",
}
_PICK = re.compile(r"^(?:SO|AP|CHON|NUMBER|NO)?0*(\d{1,3})$")


@dataclass
class Parsed:
    """What a message asks for: the intent, its argument words and the language it reveals."""

    intent: str | None
    language: str | None = None
    code: str | None = None  # procedure code, when the intent is a procedure
    number: int | None = None  # menu pick
    rest: str = ""  # the raw words after the keyword (hamlet, reason, reference)
    words: list = field(default_factory=list)  # folded words after the keyword
    how: str = ""  # exact | prefix | fuzzy | phrase: kept for the message log and tests
    keyword: str = ""  # the table word that matched ("TOLUUDONG"), for the understanding step
    send_guidance: bool = False  # a visit that also asks how the procedure goes


def one_edit_apart(a, b):
    """Tell whether A and B differ by one substitution, insertion, deletion or swap."""
    # Optimal string alignment counts a swap of neighbours as one edit, as typists make it.
    return a != b and OSA.distance(a, b, score_cutoff=1) == 1


def vocabulary(procedures):
    """Build the keyword table: the fixed keywords plus each procedure's code and synonyms."""
    table = {word: (intent, lang, None) for word, (intent, lang) in KEYWORDS.items()}
    for procedure in procedures:
        for word in [procedure["code"], *procedure["synonyms"]]:
            word = word.upper().replace(" ", "")
            # A channel keyword wins over a procedure synonym that happens to collide.
            table.setdefault(word, (PROCEDURE, None, procedure["code"]))
    return table


class Vocabulary:
    """The keyword table and its typo candidates, built once per procedure catalogue."""

    def __init__(self, procedures=()):
        self.table = vocabulary(procedures)
        # Typo candidates in table order (ties are broken by that order), per message length:
        # a typo is one letter off, so only keywords one letter shorter or longer can match.
        eligible = [
            word
            for word in self.table
            if len(word) >= MIN_FUZZY and word not in GENERIC and word.isalnum()
        ]
        longest = max((len(word) for word in eligible), default=0)
        self.near = {
            length: [
                (word, whole_only(word, self.table))
                for word in eligible
                if abs(len(word) - length) <= 1
            ]
            for length in range(MIN_FUZZY, longest + 2)
        }
        # Every beginning of a word `_phrase` may find anywhere in a text: a window that
        # begins none is not extended.
        self.phrase_prefixes = frozenset(
            word[:size]
            for word in self.table
            if len(word) >= MIN_FUZZY and _anywhere(word, self.table)
            for size in range(1, len(word) + 1)
        )


def words_of(text):
    """Split text into folded words, keeping "?" as a word of its own."""
    folded = fold(text)
    words = folded.split()
    if not words and "?" in (text or ""):
        return ["?"]
    return words


def raw_after(text, count):
    """Return the raw text after its first COUNT folded words (accents kept for staff)."""
    if count <= 0:
        return (text or "").strip()
    seen = 0
    for match in re.finditer(r"[^\W_]+", text or ""):
        seen += len(fold(match.group()).split())
        if seen >= count:
            return text[match.end() :].strip(" \t\r\n,.:;-!?")
    return ""


def whole_only(word, table):
    """Tell whether keyword WORD counts only when it is the whole message.

    Opting out must be deliberate ("tu choi tro cap" is a complaint, not STOP), as with
    Twilio's own whole-body rule.
    """
    return word in WHOLE_ONLY or table[word][0] in SWITCHES


def _fuzzy(joined, vocab, whole):
    """Return the keyword JOINED is a one-letter typo of, or None when unsure."""
    if len(joined) < MIN_FUZZY:
        return None
    table = vocab.table
    best, best_score, tie = None, 0.0, False
    for word, only_whole in vocab.near.get(len(joined), ()):
        if not whole and only_whole:
            continue
        # One edit only: a similarity ratio would also take "bao nhieu" for BAOHIEM and
        # "tieng anh" for TIENGIA. A short word must keep its first letter ("co do" is not
        # SODO): typists rarely miss the first key.
        if len(joined) < SHORT_TYPO and joined[0] != word[0]:
            continue
        if not one_edit_apart(joined, word):
            continue
        score = fuzz.ratio(joined, word) / 100
        if score > best_score:
            best, best_score, tie = word, score, False
        elif score == best_score and table[word][:3:2] != table[best][:3:2]:
            tie = True
    return None if tie else best


def _make(table, word, text, used, words, how):
    """Build a Parsed result for keyword WORD that consumed USED words."""
    intent, language, code = table[word]
    return Parsed(
        intent,
        language=language,
        code=code,
        rest=raw_after(text, used),
        words=words[used:],
        how=how,
        keyword=word,
    )


def parse(text, procedures=(), vocab=None):
    """Parse a resident's SMS into a Parsed intent (intent None when nothing matched).

    VOCAB (a Vocabulary of PROCEDURES) saves rebuilding the keyword table for each message.
    """
    vocab = vocab or Vocabulary(procedures)
    table = vocab.table
    words = words_of(text)
    offset = 0
    # Carrier habit: "DK HEN", "DK KHAI SINH". A bare DK stays unmatched.
    if len(words) > 1 and words[0] == "DK":
        words, offset = words[1:], 1
    if not words:
        return Parsed(None, how="empty")
    joined = "".join(words)
    pick = _PICK.match(joined)
    if pick and len(words) <= 2:
        return Parsed(DIGIT, number=int(pick.group(1)), how="exact")
    if joined in table:
        parsed = _make(table, joined, text, len(words) + offset, words, "exact")
        parsed.words = []
        return parsed
    limit = min(MAX_PREFIX_WORDS, len(words))
    for used in range(limit, 0, -1):
        prefix = "".join(words[:used])
        if prefix in table and not whole_only(prefix, table):
            return _make_offset(table, prefix, text, used, offset, words, "prefix")
    for used in range(limit, 0, -1):
        match = _fuzzy("".join(words[:used]), vocab, whole=used == len(words))
        if match:
            return _make_offset(table, match, text, used, offset, words, "fuzzy")
    phrase = _phrase(words, table, vocab.phrase_prefixes)
    if phrase:
        intent, language, code = table[phrase]
        return Parsed(
            intent, language=language, code=code, rest=text.strip(), how="phrase", keyword=phrase
        )
    return Parsed(None, language="en" if looks_english(words) else None, how="none")


def _make_offset(table, word, text, used, offset, words, how):
    """Build a Parsed result when a leading DK was dropped before the keyword."""
    parsed = _make(table, word, text, used + offset, words, how)
    parsed.words = words[used:]
    return parsed


def _phrase(words, table, prefixes):
    """Find a procedure synonym or visit phrase made of whole words anywhere in the text.

    PREFIXES holds every beginning of such a phrase (Vocabulary.phrase_prefixes): a window
    that is none can only grow into other non-phrases, so the next start is tried.
    """
    for start in range(len(words)):
        joined = ""
        for end in range(start, min(start + MAX_SPAN_WORDS, len(words))):
            joined += words[end]
            if joined not in prefixes:
                break
            if len(joined) < MIN_FUZZY or joined in GENERIC:
                continue
            entry = table.get(joined)
            if entry and _anywhere(joined, table):
                return joined
    return None


def _anywhere(word, table):
    """Tell whether WORD counts anywhere in a text: a procedure's name or a visit phrase."""
    return word not in GENERIC and (table[word][0] == PROCEDURE or word in ANYWHERE)


def looks_english(words):
    """Guess whether unmatched text is English (two or more common English words)."""
    return len(ENGLISH_HINTS.intersection(words)) >= 2


def menu_pick(text):
    """Return the number in "3", "so 3" or "ap 3", or None."""
    joined = "".join(words_of(text))
    match = _PICK.match(joined)
    return int(match.group(1)) if match else None
