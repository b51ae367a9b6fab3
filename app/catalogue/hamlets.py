"""Hamlets (ấp): the editable list of places the mobile team serves, and finding them in text.

Residents name hamlets with typos and without spaces ("phu hao a", "phuthuan b", "Long
Hâu"), so names are matched with rapidfuzz over windows of words with the spaces taken out.
A hamlet's suffix (the A/B of Phú Hòa A, the 1 of Long Hòa 1) must match exactly, never
fuzzily, and the names of the old communes and the district are
never taken for a hamlet.
"""

from dataclasses import dataclass

from rapidfuzz import process
from rapidfuzz.distance import OSA

from app import communes
from app.language.texts import compact, fold
from db import first, rows
from db.cache import cached


class HamletError(ValueError):
    """Raised when a hamlet cannot be saved; the message is a code (name, duplicate)."""


def _load(db):
    """The bound commune's hamlets by id, the active ones in route order, by code, a finder."""
    every = rows(
        db,
        "SELECT * FROM hamlets WHERE commune_id = :commune_id ORDER BY route_order, id",
        {"commune_id": communes.current_id()},
    )
    live = [row for row in every if row["active"] == 1]
    by_code = {row["code"]: row for row in live}
    # Other names staff keep for a hamlet ("Long Hậu cũ", a spelling) are found like its own.
    other_names = [
        (row["hamlet_code"], row["folded"])
        for row in rows(
            db,
            "SELECT h.code AS hamlet_code, a.folded FROM hamlet_aliases a"
            " JOIN hamlets h ON h.id = a.hamlet_id"
            " WHERE a.commune_id = :commune_id AND a.status = 'active' AND h.active = 1",
            {"commune_id": communes.current_id()},
        )
    ]
    finder = HamletIndex([(row["code"], fold(row["name"])) for row in live] + other_names)
    return {row["id"]: row for row in every}, live, by_code, finder


def _cached(db):
    """The bound commune's hamlets, as _load builds them, per catalogue version."""
    return cached(db, "hamlets", _load, communes.current_id())


def active(db):
    """Return the active hamlets in route order (shared rows: do not modify them)."""
    return list(_cached(db)[1])


def every(db):
    """Return every hamlet, active or not, in route order (shared rows: do not modify them)."""
    return list(_cached(db)[0].values())


def get(db, hamlet_id):
    """Return a hamlet row by id, or None (a shared row: do not modify it)."""
    if isinstance(hamlet_id, str):
        # SQLite compared a text id as a number; keep accepting "3" from forms.
        hamlet_id = int(hamlet_id) if hamlet_id.strip().isdigit() else None
    if hamlet_id is None:
        return None
    return _cached(db)[0].get(hamlet_id)


def code_for(name):
    """Return the folded code for a hamlet name ("Phú Hòa A" → "PHUHOAA")."""
    return compact(name)


def find_in_text(db, text):
    """Find an active hamlet named in free text, allowing one typo but not in the suffix.

    Returns (hamlet, the text's other words, folded) or (None, text).
    """
    tokens = fold(text).split()
    found = index(db).find(tokens)
    if found is None:
        return None, text
    hamlet = _cached(db)[2][found.value]
    return hamlet, " ".join(tokens[: found.start] + tokens[found.end :])


def by_code(db, code):
    """Return the active hamlet with folded code CODE ("PHULOI"), or None (a shared row)."""
    return _cached(db)[2].get(code)


def index(db):
    """The active hamlets as a HamletIndex (cached per catalogue version)."""
    return _cached(db)[3]


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


@dataclass(frozen=True)
class Found:
    """An entity found in the words: its value and the word span [start, end) it covers."""

    value: str
    start: int
    end: int


def add_ends(starts, stops, key, word):
    """Record WORD's first two and last two letters under KEY (see `near`)."""
    starts.add((*key, word[:2]))
    stops.add((*key, word[-2:]))


def near(starts, stops, key, word):
    """Tell whether WORD may be one edit from a word recorded under KEY by `add_ends`.

    Two words of five letters or more one edit apart (OSA distance 1) share their first
    two letters (an edit at the third letter or later) or their last two (an edit in the
    first two), so a window sharing neither needs no fuzzy match.
    """
    return (*key, word[:2]) in starts or (*key, word[-2:]) in stops


class HamletIndex:
    """The active hamlets, ready to be found in free text."""

    def __init__(self, hamlets):
        # HAMLETS: [(code, folded name)], e.g. ("PHUHOAA", "PHU HOA A"). A code is its base
        # and its suffix run together (PHUHOA + A), so a suffix stuck to a correctly spelt
        # name ("phuhoaa") is an exact match.
        self.exact = {}
        self.plain = {}  # length of what was typed -> [(base, code)] for names without suffix
        self.suffixed = {}  # suffix -> length -> [(base, code)]
        self.starts, self.stops = set(), set()  # of bases, by (suffix or None, length typed)
        for code, name in hamlets:
            words = name.split()
            key = "".join(words)  # the code for a hamlet's own name; an alias's own letters
            self.exact[key] = code
            has_suffix = len(words) > 1 and (len(words[-1]) == 1 or words[-1].isdigit())
            base = key[: -len(words[-1])] if has_suffix else key
            if len(base) < MIN_FUZZY_LENGTH:
                continue
            table = self.suffixed.setdefault(words[-1], {}) if has_suffix else self.plain
            for length in (len(base) - 1, len(base), len(base) + 1):
                table.setdefault(length, []).append((base, code))
                suffix = words[-1] if has_suffix else None
                add_ends(self.starts, self.stops, (suffix, length), base)
        self.longest = max((len(key) for key in self.exact), default=0)
        # The fewest letters a window can have and still name a hamlet, exactly or with a
        # typo: shorter windows ("O", "TOI") are not looked up at all.
        self.shortest = min(
            [
                *(len(key) for key in self.exact),
                *self.plain,
                *(min(table) + len(suffix) for suffix, table in self.suffixed.items() if table),
            ],
            default=0,
        )
        # `starts` and `stops` of the names without suffix, by their two letters.
        self.plain_heads, self.plain_tails = {}, {}
        for ends, by_letters in ((self.starts, self.plain_heads), (self.stops, self.plain_tails)):
            for suffix, length, letters in ends:
                if suffix is None:
                    by_letters.setdefault(letters, set()).add(length)

    def find(self, tokens):
        """Return the hamlet named in TOKENS as a Found, or None.

        An exact name wins over a typo; a longer window wins over a shorter one.
        """
        best = None
        exact, suffixed, starts, stops = self.exact, self.suffixed, self.starts, self.stops
        longest, shortest = self.longest + 1, self.shortest
        heads, tails = self.plain_heads, self.plain_tails
        for start in range(len(tokens)):
            joined = ""
            for end in range(start + 1, min(start + MAX_WINDOW, len(tokens)) + 1):
                last = tokens[end - 1]
                joined += last
                size = len(joined)
                if size > longest:
                    break
                if size < shortest:
                    continue
                if joined not in exact:
                    # Most windows are no name nor one edit from one: `near` says so
                    # without the fuzzy match (`_score` repeats these steps).
                    if last in suffixed:
                        stem = joined[: -len(last)]
                        if not near(starts, stops, (last, len(stem)), stem):
                            continue
                    elif size not in heads.get(joined[:2], ()) and size not in tails.get(
                        joined[-2:], ()
                    ):
                        continue  # `near` for a name without suffix, without its tuples
                score = self._score(joined, last)
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
        suffix = last_word if by_length is not None else None
        if not near(self.starts, self.stops, (suffix, len(stem)), stem):
            return None
        hit = process.extractOne(
            stem, [base for base, _code in candidates], scorer=OSA.distance, score_cutoff=1
        )
        return (candidates[hit[2]][1], hit[1]) if hit else None


def save(db, hamlet_id, *, name, route_order, active):
    """Create (HAMLET_ID None) or update a hamlet's name, route order and active flag."""
    name = (name or "").strip()
    if not name:
        raise HamletError("name")
    code = code_for(name)
    commune_id = communes.current_id()
    if hamlet_id is not None and get(db, hamlet_id) is None:
        raise HamletError("missing")  # another commune's hamlet, or none
    clash = first(
        db,
        "SELECT id FROM hamlets WHERE commune_id = :commune_id AND code = :code"
        " AND id IS NOT :hamlet_id",
        {"commune_id": commune_id, "code": code, "hamlet_id": hamlet_id},
    )
    if clash:
        raise HamletError("duplicate")
    record = {"name": name, "code": code, "route_order": route_order or 0, "active": active}
    if hamlet_id is None:
        record = {**record, "commune_id": commune_id, "source": "staff"}
        hamlet_id = db["hamlets"].insert(record).last_pk
    else:
        db["hamlets"].update(hamlet_id, record)
    return get(db, hamlet_id)
