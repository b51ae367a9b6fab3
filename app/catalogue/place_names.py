"""Other names of hamlets: old names and spellings staff add, and places residents name.

Residents name hamlets the list does not know, misspell them, or name the former communes
(Long Hòa, Phú Long) merged into Phú Lâm. Staff keep aliases per hamlet (active ones are
found like the hamlet's own name); a former commune's name narrows the hamlet menu to its
hamlets (the hamlets' `old_commune`); an unknown place in a visit request is booked through
the hamlet menu and the name is kept as a suggested alias of the hamlet the resident picks,
for staff to accept or dismiss.
"""

import re

from app import communes
from app.infra import clock
from app.language.texts import fold
from db import first, insert_returning, rows

ACTIVE, SUGGESTED, DISMISSED = "active", "suggested", "dismissed"
# "ấp Bình Thạnh", "xóm Rạch Gòi", "khóm Long Thạnh A": a place word, then its name.
_PLACE = re.compile(r"\b(?:AP|XOM|KHOM|HAMLET)\s+((?:[A-Z0-9]+\s*){1,3})")
# Words that end a place name ("ấp Cây Da xin cán bộ...").
_AFTER_NAME = {
    "XIN",
    "NHO",
    "CAN",
    "CHO",
    "DEN",
    "TOI",
    "GIUP",
    "DUM",
    "GIUM",
    "NHA",
    "NGHEN",
    "GAN",
    "CUA",
    "CO",
    "LA",
    "THI",
    "MA",
    "VA",
    "BA",
    "ONG",
    "ME",
    "CON",
    "O",
    "VOI",
    "NHE",
    "A",
}


def aliases(db, status=ACTIVE):
    """The bound commune's aliases with STATUS, with their hamlet's code and name."""
    return rows(
        db,
        "SELECT a.*, h.code AS hamlet_code, h.name AS hamlet_name FROM hamlet_aliases a"
        " JOIN hamlets h ON h.id = a.hamlet_id"
        " WHERE a.commune_id = :commune_id AND a.status = :status ORDER BY h.route_order, a.alias",
        {"commune_id": communes.current_id(), "status": status},
    )


def add(db, hamlet_id, alias, *, status=ACTIVE, message_id=None, actor=None):
    """Keep ALIAS as another name of HAMLET_ID (once per commune, name and hamlet)."""
    alias = " ".join((alias or "").split())
    folded = fold(alias)
    if not folded:
        return None
    record = {
        "commune_id": communes.current_id(),
        "hamlet_id": hamlet_id,
        "alias": alias,
        "folded": folded,
        "status": status,
        "message_id": message_id,
        "actor": actor,
        "created_at": clock.iso(clock.now()),
    }
    # Once per commune, name and hamlet; any other broken constraint still fails.
    insert_returning(
        db, "hamlet_aliases", record, on_conflict_do_nothing=("commune_id", "folded", "hamlet_id")
    )
    return folded


def set_status(db, alias_id, status):
    """Accept (ACTIVE) or dismiss a suggested alias, or retire an active one; True if found."""
    done = db.execute(
        "UPDATE hamlet_aliases SET status = :status WHERE id = :id AND commune_id = :commune_id",
        {"status": status, "id": alias_id, "commune_id": communes.current_id()},
    )
    return done.rowcount == 1


def unknown_place(text):
    """The place a message names after "ấp"/"xóm" ("Binh Thanh"), title-cased, or None."""
    match = _PLACE.search(fold(text or ""))
    if not match:
        return None
    words = []
    for word in match.group(1).split():
        if word in _AFTER_NAME and words:
            break
        words.append(word)
    return " ".join(word.capitalize() if word.isalpha() else word for word in words) or None


def former_commune(db, text):
    """The former commune (a hamlets.old_commune) TEXT names, as written in the list, or None.

    "Long Hòa 1" is a hamlet, not the former commune: a name followed by a number is not one.
    """
    said = f" {fold(text or '')} "
    own = first(db, "SELECT name FROM communes WHERE id = :id", {"id": communes.current_id()})
    own_name = fold(own["name"]) if own else ""
    olds = {
        row["old_commune"]
        for row in rows(
            db,
            "SELECT DISTINCT old_commune FROM hamlets WHERE commune_id = :commune_id AND active = 1"
            " AND old_commune IS NOT NULL",
            {"commune_id": communes.current_id()},
        )
    }
    for old in sorted(olds, key=len, reverse=True):
        if fold(old) in own_name:
            continue  # "xã Phú Lâm" is today's commune, not a former one
        if re.search(rf" {re.escape(fold(old))} (?![0-9])", said):
            return old
    return None
