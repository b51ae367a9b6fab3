"""Hamlets (ấp): the editable list of places the mobile team serves."""

from app.texts import compact
from db import rows
from db.cache import cached


def _load(db):
    """Every hamlet by id, and the active ones in route order (cached per catalogue version)."""
    every = rows(db, "SELECT * FROM hamlets ORDER BY route_order, id")
    live = [row for row in every if row["active"] == 1]
    # Longest codes first, so that "Phu Hoa A" wins over a shorter prefix in free text.
    longest_first = sorted(live, key=lambda row: -len(row["code"]))
    return {row["id"]: row for row in every}, live, longest_first


def active(db):
    """Return the active hamlets in route order (shared rows: do not modify them)."""
    return list(cached(db, "hamlets", _load)[1])


def get(db, hamlet_id):
    """Return a hamlet row by id, or None (a shared row: do not modify it)."""
    if isinstance(hamlet_id, str):
        # SQLite compared a text id as a number; keep accepting "3" from forms.
        hamlet_id = int(hamlet_id) if hamlet_id.strip().isdigit() else None
    if hamlet_id is None:
        return None
    return cached(db, "hamlets", _load)[0].get(hamlet_id)


def code_for(name):
    """Return the folded code for a hamlet name ("Phú Hòa A" → "PHUHOAA")."""
    return compact(name)


def find_in_text(db, text):
    """Find an active hamlet named in free text; suffixes (A/B, 1/2) must match exactly.

    Returns (hamlet, remaining_text) or (None, text).
    """
    words = text.split()
    folded = [compact(word) for word in words]
    for hamlet in cached(db, "hamlets", _load)[2]:
        code = hamlet["code"]
        for start in range(len(folded)):
            joined = ""
            for end in range(start, len(folded)):
                joined += folded[end]
                if joined == code:
                    remaining = " ".join(words[:start] + words[end + 1 :])
                    return hamlet, remaining.strip()
                if not code.startswith(joined):
                    break
    return None, text
