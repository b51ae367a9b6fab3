"""The SMS log and the outbox as staff read them, newest first, one commune at a time."""

import re

from app import communes
from app.delivery import delivery_states
from app.language.texts import fold
from app.lifecycle import SMS_FAILED, SMS_WAITING, sql_list

PER_PAGE = 20  # rows a page: a phone shows each as a card, so fewer than the request lists

# The resident a message is about is the one of its own commune: a phone may be known in two.
RESIDENT_OF_MESSAGE = "res.phone = m.phone AND res.commune_id = m.commune_id"
RESIDENT_OF_OUTBOX = "res.phone = o.phone AND res.commune_id = o.commune_id"


def _folded(value):
    """SQLite function: a text without accents or case, for matching what officers type."""
    return fold(value) if value else ""


def _search(text):
    """The WHERE part and parameters of a search of the log (accents aside: "nguyen")."""
    # Digits match the phone; words the message or the resident's name.
    digits = re.sub(r"\D", "", text)
    clauses, params = [], {}
    if len(digits) >= 3 and len(digits) * 2 >= len(re.sub(r"\s", "", text)):
        # A number as people write it (0912 345 678) is stored as +84912345678.
        clauses.append("m.phone LIKE :digits")
        params["digits"] = f"%{digits.lstrip('0')}%"
    words = fold(text)
    if words:
        clauses.append("fold(m.body) LIKE :words OR fold(res.name) LIKE :words")
        params["words"] = f"%{words}%"
    return "(" + " OR ".join(clauses or ["0"]) + ")", params


def messages_page(
    db,
    commune,
    direction=None,
    failed_only=False,
    phone=None,
    page=1,
    per_page=PER_PAGE,
    text=None,
):
    """Return (rows, has_next) from COMMUNE's SMS log, newest first, with resident names.

    TEXT searches the phone, the message and the resident's name.
    """
    where, params = ["m.commune_id = :commune_id"], {}
    if text and text.strip():
        db.register_function(_folded, name="fold", deterministic=True, replace=True)
        clause, found = _search(text.strip())
        where.append(clause)
        params.update(found)
    if direction in ("in", "out"):
        where.append("m.direction = :direction")
        params["direction"] = direction
    if failed_only:
        where.append(f"m.status IN {sql_list(SMS_FAILED)}")
    if phone:
        where.append("m.phone = :phone")
        params["phone"] = phone
    sql = (
        "SELECT m.*, res.name AS resident_name, res.id AS resident_id, r.ref AS request_ref,"
        f" o.status AS outbox_status, {delivery_states.PARTS_COLUMNS}"
        f" FROM messages m LEFT JOIN residents res ON {RESIDENT_OF_MESSAGE}"
        f" LEFT JOIN {delivery_states.PARTS_JOIN}"
        " LEFT JOIN requests r ON r.id = m.request_id"
        " LEFT JOIN outbox o ON o.id = m.outbox_id"
        " WHERE " + " AND ".join(where) + " ORDER BY m.id DESC LIMIT :limit OFFSET :offset"
    )
    params.update(limit=per_page + 1, offset=(max(page, 1) - 1) * per_page)
    found = communes.scoped_rows(db, commune, sql, params)
    return found[:per_page], len(found) > per_page


def outbox_counts(db, commune):
    """Return the number of COMMUNE's outbox rows per status."""
    found = communes.scoped_rows(
        db,
        commune,
        "SELECT status, count(*) AS n FROM outbox WHERE commune_id = :commune_id GROUP BY status",
    )
    return {row["status"]: row["n"] for row in found}


def outbox_row(db, commune, outbox_id):
    """Return one of COMMUNE's outbox rows, or None."""
    return communes.owned(db, commune, "outbox", outbox_id)


def waiting_outbox(db, commune, *, phone=None, limit=50):
    """Return COMMUNE's messages not sent yet (waiting, or being sent), oldest first.

    Until it is sent a message has no row in the SMS log, so this is where staff see it.
    """
    where = f"o.commune_id = :commune_id AND o.status IN {sql_list(SMS_WAITING)}"
    params = {"limit": limit}
    if phone:
        where += " AND o.phone = :phone"
        params["phone"] = phone
    return communes.scoped_rows(
        db,
        commune,
        "SELECT o.*, res.name AS resident_name, res.id AS resident_id, r.ref FROM outbox o"
        f" LEFT JOIN residents res ON {RESIDENT_OF_OUTBOX}"
        f" LEFT JOIN requests r ON r.id = o.request_id WHERE {where}"
        " ORDER BY o.id LIMIT :limit",
        params,
    )


def unanswerable(db, commune, limit=50):
    """COMMUNE's inbound SMS from short codes and alphanumeric senders: stored, never answered."""
    return communes.scoped_rows(
        db,
        commune,
        "SELECT * FROM messages WHERE commune_id = :commune_id AND direction = 'in'"
        " AND intent = 'bad_sender' ORDER BY id DESC LIMIT :limit",
        {"limit": limit},
    )
