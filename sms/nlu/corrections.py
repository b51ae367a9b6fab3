"""Staff corrections of what a message meant: stored, then learned from at the next training."""

from app import clock
from db import first, insert, rows
from sms.nlu.corpus import Example

INTENTS = (
    "visit",
    "schedule",
    "guidance",
    "status",
    "cancel",
    "question",
    "opt_out",
    "opt_in",
    "help",
    "language:en",
    "language:vi",
    "menu_reply",
)


def record(db, message, *, intent, hamlet=None, procedure=None, urgency=None, actor=None):
    """Store (or replace) the correction of inbound MESSAGE; return the stored row."""
    if intent == "guidance" and procedure:
        intent = f"guidance:{procedure}"
    values = {
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


def examples(db):
    """Every correction as a corpus Example, oldest first."""
    return [
        Example(row["intent"], row["hamlet"], row["procedure"], row["urgency"], row["text"])
        for row in rows(db, "SELECT * FROM nlu_corrections ORDER BY id")
        if (row["text"] or "").strip()
    ]
