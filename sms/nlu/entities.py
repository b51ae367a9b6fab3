"""Entities in a resident's words: the hamlet, the procedure, a reference code, urgency.

Hamlet names and procedure words are matched with rapidfuzz over windows of words with the
spaces taken out, so "phu hao a", "phuthuan b" and "Long Hâu" are found. A hamlet's suffix
(the A/B of Phú Hòa A, the 1 of Long Hòa 1) must match exactly, never fuzzily
(vietnam-domain.md §1.5), and the names of the old communes and the district are never
taken for a hamlet.
"""

import re
from dataclasses import dataclass

from rapidfuzz import process
from rapidfuzz.distance import OSA

from app.texts import compact

# Places that are not hamlets but sit one letter away from one: Phú Tân (the old district)
# vs Phú Tây, Phú Long (an old commune) vs Phú Đông.
NOT_HAMLETS = {
    "PHULAM",
    "PHULONG",
    "LONGHOA",
    "PHUTAN",
    "PHUTHANH",
    "HONGNGU",
    "ANGIANG",
    "CHODOC",
    "SAIGON",
    "BINHDUONG",
    "PHUHOA",
    "PHUTHUAN",
}
MAX_WINDOW = 5
MIN_FUZZY_LENGTH = 6

# Everyday words per procedure beyond the catalogue's synonyms (vietnam-domain.md §6.3);
# folded, without spaces. The catalogue's own synonyms are added when the index is built.
RESIDENT_WORDS = {
    "VNEID": ["VNEID", "DINHDANHDIENTU", "DINHDANHMUC2", "TAIKHOANDINHDANH", "VNEIT"],
    # English words of the English-speaking few (vietnam-domain.md §8 keeps English second).
    "CANCUOC": [
        "CANCUOC",
        "THECANCUOC",
        "CANCUOCGANCHIP",
        "CHUNGMINHNHANDAN",
        "CHUNGMINHTHU",
        "CANCUOCCONGDAN",
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


@dataclass(frozen=True)
class Found:
    """An entity found in the words: its value and the word span [start, end) it covers."""

    value: str
    start: int
    end: int


def _split_suffix(code):
    """Split a hamlet code into its base and its exact suffix ("PHUHOAA" → "PHUHOA", "A")."""
    match = re.match(r"^(.*?)(\d+|[A-Z])$", code)
    return match.groups() if match else (code, "")


class HamletIndex:
    """The active hamlets, ready to be found in free text."""

    def __init__(self, hamlets):
        # HAMLETS: [(code, folded name)], e.g. ("PHUHOAA", "PHU HOA A"). A code is its base
        # and its suffix run together (PHUHOA + A), so a suffix stuck to a correctly spelt
        # name ("phuhoaa") is an exact match.
        self.exact = {}
        self.plain = {}  # length of what was typed -> [(base, code)] for names without suffix
        self.suffixed = {}  # suffix -> length -> [(base, code)]
        for code, name in hamlets:
            words = name.split()
            self.exact[code] = code
            has_suffix = len(words) > 1 and (len(words[-1]) == 1 or words[-1].isdigit())
            base = code[: -len(words[-1])] if has_suffix else code
            if len(base) < MIN_FUZZY_LENGTH:
                continue
            table = self.suffixed.setdefault(words[-1], {}) if has_suffix else self.plain
            for length in (len(base) - 1, len(base), len(base) + 1):
                table.setdefault(length, []).append((base, code))
        self.longest = max((len(code) for code in self.exact), default=0)

    def find(self, tokens):
        """Return the hamlet named in TOKENS as a Found, or None.

        An exact name wins over a typo; a longer window wins over a shorter one.
        """
        best = None
        for start in range(len(tokens)):
            joined = ""
            for end in range(start + 1, min(start + MAX_WINDOW, len(tokens)) + 1):
                joined += tokens[end - 1]
                if len(joined) > self.longest + 1:
                    break
                score = self._score(joined, tokens[end - 1])
                if score is None:
                    continue
                code, distance = score
                key = (distance, -(end - start), start)
                if best is None or key < best[0]:
                    best = (key, Found(code, start, end))
        return best[1] if best else None

    def _score(self, joined, last_word):
        """Return (code, edit distance) for a window, or None when it names no hamlet.

        The suffix must be typed exactly, as its own word ("phu hao a": the name may have a
        typo), never as the last letter of the name itself ("Phu Hoa" is not Phú Hòa A).
        """
        code = self.exact.get(joined)
        if code:
            return code, 0
        by_length = self.suffixed.get(last_word)
        stem = joined[: -len(last_word)] if by_length is not None else joined
        candidates = (by_length if by_length is not None else self.plain).get(len(stem))
        if not candidates or stem in NOT_HAMLETS:
            return None
        hit = process.extractOne(
            stem, [base for base, _code in candidates], scorer=OSA.distance, score_cutoff=1
        )
        return (candidates[hit[2]][1], hit[1]) if hit else None


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
        for word in self.words:
            if len(word) >= MIN_FUZZY_LENGTH and word not in WHOLE_MESSAGE_ONLY:
                for length in (len(word) - 1, len(word), len(word) + 1):
                    self.near.setdefault((length, word[0]), []).append(word)
        self.longest = max((len(word) for word in self.words), default=0)

    def find_all(self, tokens):
        """Return every procedure named in TOKENS as Found items, longest first."""
        words, near, longest = self.words, self.near, self.longest + 1
        whole = "".join(tokens)
        if whole in words:
            return [Found(words[whole], 0, len(tokens))]
        found = []
        for start in range(len(tokens)):
            joined = ""
            for end in range(start + 1, min(start + MAX_WINDOW, len(tokens)) + 1):
                joined += tokens[end - 1]
                size = len(joined)
                if size > longest:
                    break
                code = words.get(joined)
                if code is not None:
                    if joined not in WHOLE_MESSAGE_ONLY:
                        found.append((size, Found(code, start, end)))
                    continue
                candidates = near.get((size, joined[0])) if size >= MIN_FUZZY_LENGTH else None
                if candidates:
                    # One typo allowed: a letter wrong, missing, doubled or swapped.
                    hit = process.extractOne(
                        joined, candidates, scorer=OSA.distance, score_cutoff=1
                    )
                    if hit:
                        found.append((size, Found(words[hit[0]], start, end)))
        found.sort(key=lambda item: (-item[0], item[1].start))
        return [item for _size, item in found]


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
