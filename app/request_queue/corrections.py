"""Staff corrections of what a message meant: stored, then learned from at the next training.

Each correction is a labelled message in the corpus format (tests/data/nlu/README.md):
`flask nlu train` adds them to the dev split and `flask nlu export` writes them out. A
correction is also an act of an officer: every one is kept, with who made it and what it did,
and a later one never deletes an earlier one; the newest per message is what is learned.
"""

from app import communes
from app.infra import clock
from db import first, insert, rows


def record(db, message, *, intent, hamlet=None, procedure=None, urgency=None, actor=None):
    """Store one more correction of inbound MESSAGE (earlier ones stay); return its row."""
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
    insert(db, "nlu_corrections", values)
    return for_message(db, message["id"])


def note_outcome(db, correction, *, outcome, request_id=None):
    """Write down what CORRECTION did: the answer's name and the request it touched."""
    db.conn.execute(
        "UPDATE nlu_corrections SET outcome = :outcome, request_id = :request_id WHERE id = :id",
        {"outcome": outcome, "request_id": request_id, "id": correction["id"]},
    )


def for_message(db, message_id):
    """Return the newest correction of one message, or None."""
    return first(
        db,
        "SELECT * FROM nlu_corrections WHERE message_id = :message_id ORDER BY id DESC LIMIT 1",
        {"message_id": message_id},
    )


def history(db, message_id):
    """Every correction of one message, oldest first, with the reference of what it touched."""
    return rows(
        db,
        "SELECT c.*, r.ref, r.status AS request_status FROM nlu_corrections c"
        " LEFT JOIN requests r ON r.id = c.request_id WHERE c.message_id = :message_id"
        " ORDER BY c.id",
        {"message_id": message_id},
    )


def labelled(db):
    """The newest correction of each message with words, oldest first, as corpus fields."""
    return [
        {key: row[key] for key in ("intent", "hamlet", "procedure", "urgency", "text")}
        for row in rows(
            db,
            "SELECT * FROM nlu_corrections WHERE id IN"
            " (SELECT max(id) FROM nlu_corrections GROUP BY message_id) ORDER BY id",
        )
        if (row["text"] or "").strip()
    ]
