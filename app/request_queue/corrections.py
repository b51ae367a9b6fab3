"""Staff corrections of what a message meant: stored, then learned from at the next training.

Each correction is a labelled message in the corpus format (tests/data/nlu/README.md):
`flask nlu train` adds them to the dev split and `flask nlu export` writes them out.
"""

from app import communes
from app.infra import clock
from db import first, insert, rows


def record(db, message, *, intent, hamlet=None, procedure=None, urgency=None, actor=None):
    """Store (or replace) the correction of inbound MESSAGE; return the stored row."""
    if intent == "guidance" and procedure:
        intent = f"guidance:{procedure}"
    values = {
        "commune_id": communes.current_id(),
        "message_id": message["id"],
        "text": message["body"] or "",
        "intent": intent,
        "hamlet": hamlet or None,
        "procedure": procedure or None,
        "urgency": urgency or None,
        "actor": actor,
        "at": clock.iso(clock.now()),
    }
    existing = for_message(db, message["id"])
    if existing:
        db.conn.execute("DELETE FROM nlu_corrections WHERE id = ?", [existing["id"]])
    insert(db, "nlu_corrections", values)
    return for_message(db, message["id"])


def for_message(db, message_id):
    """Return the correction of one message, or None."""
    return first(db, "SELECT * FROM nlu_corrections WHERE message_id = ?", [message_id])


def labelled(db):
    """Every correction with words, oldest first, as corpus fields (intent ... text)."""
    return [
        {key: row[key] for key in ("intent", "hamlet", "procedure", "urgency", "text")}
        for row in rows(db, "SELECT * FROM nlu_corrections ORDER BY id")
        if (row["text"] or "").strip()
    ]
