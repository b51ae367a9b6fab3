"""Entities in a resident's words: the hamlet, the procedure, a reference code, urgency.

Procedure words are matched with rapidfuzz over windows of words with the spaces taken out,
as hamlet names are (app.catalogue.hamlets.HamletIndex), so "khai sing", "tamtru" and "can coc" are
found.
"""

import re
from itertools import accumulate

from rapidfuzz import process
from rapidfuzz.distance import OSA

from app.catalogue.hamlets import (  # noqa: F401
    MAX_WINDOW,
    MIN_FUZZY_LENGTH,
    Found,
    HamletIndex,
    add_ends,
)
from app.language.texts import compact

# Everyday words per procedure beyond the catalogue's synonyms, as residents write them;
# folded, without spaces. The catalogue's own synonyms are added when the index is built.
RESIDENT_WORDS = {
    "VNEID": ["VNEID", "DINHDANHDIENTU", "DINHDANHMUC2", "TAIKHOANDINHDANH", "VNEIT"],
    # English words of the English-speaking few (English comes second, never first).
    "CANCUOC": [
        "CANCUOC",
        "THECANCUOC",
        "CANCUOCGANCHIP",
        "CHUNGMINHNHANDAN",
        "CHUNGMINHTHU",
        "CANCUOCCONGDAN",
        "CCCD",
        "IDCARD",
    ],
    "KHAISINH": ["KHAISINH", "GIAYKHAISINH", "DANGKYKHAISINH", "LAMKHAISINH", "BIRTH"],
    "KHAITU": [
        "KHAITU",
        "GIAYBAOTU",
        "BAOTU",
        "MAITANGPHI",
        "TIENMAITANG",
        "GIAYKHAITU",
        "DEATH",
        "FUNERAL",
    ],
    "KETHON": ["KETHON", "GIAYKETHON", "HONTHU", "DANGKYKETHON", "MARRIAGE", "MARRIED"],
    "THUONGTRU": [
        "THUONGTRU",
        "HOKHAU",
        "NHAPHOKHAU",
        "CHUYENKHAU",
        "NHAPKHAU",
        "TACHKHAU",
        "PERMANENTRESIDENCE",
    ],
    "TAMTRU": ["TAMTRU", "KHAIBAOTAMTRU", "GIAHANTAMTRU", "TEMPORARYRESIDENCE"],
    "SAOY": [
        "SAOY",
        "CONGCHUNG",
        "CHUNGTHUC",
        "PHOTOCONGCHUNG",
        "CERTIFIEDCOPY",
        "CERTIFYACOPY",
        "NOTARISED",
        "NOTARIZED",
    ],
    "SANGTEN": [
        "SANGTEN",
        "SODO",
        "SOHONG",
        "THUAKEDAT",
        "TANGCHODAT",
        "CHODAT",
        "BANDAT",
        "GIAYDAT",
        "CHUYENNHUONG",
        "GIAYCHUNGNHANDAT",
        "LAND",
    ],
    "HUUTRI": [
        "HUUTRI",
        "TIENGIA",
        "TROCAP",
        "TIENNGUOIGIA",
        "TROCAPNGUOIGIA",
        "TROCAPNGUOICAOTUOI",
        "HUUTRIXAHOI",
        "PENSION",
        "OLDAGEALLOWANCE",
    ],
    "BHYT": ["BHYT", "BAOHIEMYTE", "BAOHIEM", "THEBAOHIEM", "THEBHYT", "INSURANCE"],
    "TRICHLUC": [
        "TRICHLUC",
        "BANSAO",
        "BANSAOKHAISINH",
        "BANSAOKETHON",
        "BANSAOKHAITU",
        "BANSAOGIAY",
        "COPYOF",
        "BIRTHCERTIFICATE",
        "MARRIAGECERTIFICATE",
    ],
}
# Too short or too common to find inside a sentence; they count as the whole message only.
WHOLE_MESSAGE_ONLY = {"KS", "DAT", "DD2", "HOSO", "BAOHIEM", "TROCAP"}

# Danger now: the reply gives the emergency numbers. Folded phrases, matched on whole words.
EMERGENCY = [
    "CAP CUU",
    "BENH NANG",
    "TE NGA",
    "BI TE",
    "NGA XIU",
    "NGAT XIU",
    "BAT TINH",
    "DOT QUY",
    "KHO THO",
    "CHAY NHA",
    "DANG CHAY",
    "BI CHAY",
    "CHAY RUNG",
    "CHAY MAU",
    "CHET DUOI",
    "TAI NAN",
    "CUOP",
    "TROM",
    "CUU TOI",
    "CUU VOI",
    "EMERGENCY",
    "NOT BREATHING",
    "AMBULANCE",
    "FIRE",
]
# A plea or a word of need: the message also goes to a person, whatever the answer.
DISTRESS = [
    "KHONG DI DUOC",
    "KHONG DI LAI DUOC",
    "KHONG DI XA DUOC",
    "DI KHONG DUOC",
    "DI KHONG NOI",
    "DI HONG NOI",
    "KHONG NOI",
    "KHONG RA XA DUOC",
    "KHONG LEN XA DUOC",
    "DI LAI KHO",
    "DI DUNG KHO",
    "BI BENH",
    "DANG BENH",
    "BENH HOAI",
    "BENH LAU",
    "BENH TIM",
    "BENH TIEU DUONG",
    "BENH NAM",
    "TUI BENH",
    "TOI BENH",
    "LIET",
    "NAM MOT CHO",
    "MOT MINH",
    "GIUP VOI",
    "GIUP TOI VOI",
    "CUU",
    "GAP LAM",
    "GAP QUA",
    "RAT GAP",
    "KHAN CAP",
    "TAI BIEN",
    "YEU LAM",
    "KHO KHAN",
]
URGENT_ACCENTED = re.compile(r"\bgấp\b", re.IGNORECASE)
REF_WORD = re.compile(r"^(?:\d{5}|[ACDEFGHJKMNPQRTUVWXY34679]{5})$")


class ProcedureIndex:
    """Procedure words (catalogue synonyms plus residents' own words), found in free text."""

    def __init__(self, procedures):
        # procedures: [(code, [synonyms])]
        self.words = {}
        for code, synonyms in procedures:
            for word in [code, *synonyms, *RESIDENT_WORDS.get(code, [])]:
                word = compact(word)
                if word:
                    self.words.setdefault(word, code)
        # Typo candidates by the length and first letter of what was typed: a one-letter
        # typo changes the length by one at most, and typists rarely miss the first key.
        self.near = {}
        self.starts, self.stops = set(), set()  # their ends by length typed (hamlets.near)
        for word in self.words:
            if len(word) >= MIN_FUZZY_LENGTH and word not in WHOLE_MESSAGE_ONLY:
                for length in (len(word) - 1, len(word), len(word) + 1):
                    self.near.setdefault((length, word[0]), []).append(word)
                    add_ends(self.starts, self.stops, (length,), word)
        # The most letters a window can have for words starting with each letter, a typo
        # included (a fuzzy match keeps the first letter): no window starting with another
        # letter is looked at.
        self._last = None  # (token list, what find_all found in it)
        self.reach = {}
        for word in self.words:
            self.reach[word[0]] = max(self.reach.get(word[0], 0), len(word) + 1)
        # Every beginning of a word; the lengths typed of the words' typos by their first
        # three letters, and by their last two and first letter. A typo keeps the first
        # letter (`near`); of two words of six letters or more one edit apart, an edit at
        # the fourth letter or later keeps the first three, one before it the last two.
        # `_windows` reads no other window.
        self.prefixes = frozenset(word[:size] for word in self.words for size in range(len(word)))
        self.start_sizes, self.stop_sizes = {}, {}
        for candidates in self.near.values():
            for word in candidates:
                for length in (len(word) - 1, len(word), len(word) + 1):
                    self.start_sizes.setdefault(word[:3], set()).add(length)
                    by_first = self.stop_sizes.setdefault(word[-2:], {})
                    by_first.setdefault(word[0], set()).add(length)
        # Each procedure's words long enough to be found inside words run together.
        self.by_code = {}
        for word, code in self.words.items():
            if len(word) >= 4:
                self.by_code.setdefault(code, []).append(word)

    def names(self, tokens, code):
        """Tell whether TOKENS carry a word of procedure CODE, run together or with a typo."""
        joined = "".join(tokens)
        if any(word in joined for word in self.by_code.get(code, ())):
            return True
        return any(found.value == code for found in self.find_all(tokens))

    def find_all(self, tokens):
        """Return every procedure named in TOKENS as Found items, longest first.

        One reading asks this of the same token list several times (the procedure, then
        the guards' `names`): the last list's answer is kept, by identity, not by value.
        """
        last = self._last
        if last is not None and last[0] is tokens:
            return list(last[1])
        found = self._find_all(tokens)
        self._last = (tokens, tuple(found))
        return found

    def _find_all(self, tokens):
        words, near, starts, stops = self.words, self.near, self.starts, self.stops
        whole = "".join(tokens)
        if whole in words:
            return [Found(words[whole], 0, len(tokens))]
        found = []
        for start, end in self._windows(tokens):
            joined = "".join(tokens[start:end])
            size = len(joined)
            code = words.get(joined)
            if code is not None:
                if joined not in WHOLE_MESSAGE_ONLY:
                    found.append((size, Found(code, start, end)))
                continue
            candidates = near.get((size, joined[0])) if size >= MIN_FUZZY_LENGTH else None
            if candidates and (
                (size, joined[:2]) in starts or (size, joined[-2:]) in stops
            ):  # else no word is one edit away (hamlets.near)
                # One typo allowed: a letter wrong, missing, doubled or swapped.
                hit = process.extractOne(joined, candidates, scorer=OSA.distance, score_cutoff=1)
                if hit:
                    found.append((size, Found(words[hit[0]], start, end)))
        found.sort(key=lambda item: (-item[0], item[1].start))
        return [item for _size, item in found]

    def _windows(self, tokens):
        """The (start, end) word windows that may name a procedure, exactly or with a typo.

        A window of up to MAX_WINDOW words is read when it has no more letters than a word
        with its first letter (and a typo); of those, only one that begins a word, or whose
        length and first three or last two letters some word's typo could have, can name one.
        """
        count = len(tokens)
        sizes = list(accumulate(map(len, tokens), initial=0))
        longest = [self.reach.get(token[:1], 0) for token in tokens]
        if "" in tokens:  # never from the tokeniser; then every window, to be safe
            windows = {(s, e) for s in range(count) for e in range(s + 1, s + MAX_WINDOW + 1)}
        else:
            windows = self._may_name(tokens, sizes)
        return [
            (start, end)
            for start, end in windows
            if end <= count and sizes[end] - sizes[start] <= longest[start]
        ]

    def _may_name(self, tokens, sizes):
        """`_windows` before the length check, for TOKENS none of which is empty."""
        count = len(tokens)
        words, prefixes = self.words, self.prefixes
        start_sizes, stop_sizes = self.start_sizes, self.stop_sizes
        windows = set()
        # Exact words, walked along their beginnings from a word that begins or is one.
        for start in [at for at, token in enumerate(tokens) if token in prefixes or token in words]:
            joined = ""
            for end in range(start + 1, min(start + MAX_WINDOW, count) + 1):
                joined += tokens[end - 1]
                if joined in words:
                    windows.add((start, end))
                if joined not in prefixes:
                    break
        # Typos by their first three letters (those of the words from START on).
        heads = [
            token[:3] if len(token) >= 3 else "".join(tokens[at : at + 3])[:3]
            for at, token in enumerate(tokens)
        ]
        for start, typed in enumerate(map(start_sizes.get, heads)):
            if typed:
                windows.update(
                    (start, end)
                    for end in range(start + 1, min(start + MAX_WINDOW, count) + 1)
                    if sizes[end] - sizes[start] in typed
                )
        # Typos by their last two letters and first letter: a window of one word ending at
        # END, and one of two words or more (the last two letters across the last two).
        for end, by_first in enumerate(map(stop_sizes.get, [t[-2:] for t in tokens]), 1):
            typed = by_first and by_first.get(tokens[end - 1][0])
            if typed and sizes[end] - sizes[end - 1] in typed:
                windows.add((end - 1, end))
        tails = [
            (before[-2:] + token)[-2:]
            for before, token in zip(tokens[:-1], tokens[1:], strict=True)
        ]
        for end, by_first in enumerate(map(stop_sizes.get, tails), 2):
            if by_first:
                for start in range(max(0, end - MAX_WINDOW), end - 1):
                    typed = by_first.get(tokens[start][0])
                    if typed and sizes[end] - sizes[start] in typed:
                        windows.add((start, end))
        return windows


def _has_phrase(tokens_text, phrases):
    """Tell whether any folded PHRASE occurs in TOKENS_TEXT on whole words."""
    return any(f" {phrase} " in tokens_text for phrase in phrases)


def urgency(tokens, raw=""):
    """Return "emergency", "distress" or None for normalised TOKENS (RAW: the text as sent).

    Folded, "gấp" (urgent) and "gặp" (meet) are both GAP, so the accented word counts
    when the resident typed accents, and the unaccented one only in "gap lam", "gap qua".
    """
    text = " " + " ".join(tokens) + " "
    if _has_phrase(text, EMERGENCY):
        return "emergency"
    if _has_phrase(text, DISTRESS) or URGENT_ACCENTED.search(raw or ""):
        return "distress"
    return None


def reference(tokens):
    """Return the first word shaped like a reference code (12345, or K4C7A), or None.

    An older letter code without a digit looks like any word, so it counts only right
    after HUY or XEM, where the keyword parser reads it.
    """
    for token in tokens:
        if REF_WORD.match(token) and any(ch.isdigit() for ch in token):
            return token
    return None
