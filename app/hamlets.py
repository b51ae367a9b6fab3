"""Hamlets (ấp): the editable list of places the mobile team serves."""

from app.texts import compact
from db import first, rows


def active(db):
    """Return the active hamlets in route order."""
    return rows(db, "SELECT * FROM hamlets WHERE active = 1 ORDER BY route_order, id")


def get(db, hamlet_id):
    """Return a hamlet row by id, or None."""
    if hamlet_id is None:
        return None
    return first(db, "SELECT * FROM hamlets WHERE id = ?", [hamlet_id])


def code_for(name):
    """Return the folded code for a hamlet name ("Phú Hòa A" → "PHUHOAA")."""
    return compact(name)


def find_in_text(db, text):
    """Find an active hamlet named in free text; suffixes (A/B, 1/2) must match exactly.

    Returns (hamlet, remaining_text) or (None, text).
    """
    words = text.split()
    folded = [compact(word) for word in words]
    # Longest names first so "Phu Hoa A" wins over a shorter prefix.
    for hamlet in sorted(active(db), key=lambda row: -len(row["code"])):
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
