"""What the simulated phone's screen shows: the SMS thread with one number."""

from app import clock, messages, phones, residents

OUTBOX_SHOWN = ("pending", "leased", "failed", "sent")


def _local(stamp):
    """Format stored UTC text as local "HH:MM dd/mm" for the phone screen."""
    moment = clock.to_local(stamp)
    return moment.strftime("%H:%M %d/%m") if moment else ""


def thread(db, phone):
    """Return the thread with PHONE: logged messages, plus outbox rows the log does not hold.

    Inline replies and transport sends are in the message log. An outbox row that the worker
    has not sent yet (quiet hours, a reminder for tomorrow, the worker not running) is shown
    as waiting, so a newcomer sees that it is coming.
    """
    items = []
    logged_outbox, logged_ids = set(), set()
    for row in messages.thread(db, phone):
        logged_ids.add(row["id"])
        if row["outbox_id"]:
            logged_outbox.add(row["outbox_id"])
        items.append(
            {
                "id": f"m{row['id']}",
                "direction": row["direction"],
                "body": row["body"] or "",
                "status": row["status"] or "",
                "kind": "reply" if row["reply_to_id"] else (row["intent"] or ""),
                "at": row["created_at"],
                "time": _local(row["created_at"]),
            }
        )
    placeholders = ", ".join("?" for _ in OUTBOX_SHOWN)
    outbox = db["outbox"].rows_where(
        f"phone = ? AND status IN ({placeholders})", [phone, *OUTBOX_SHOWN], order_by="id"
    )
    for row in outbox:
        if row["id"] in logged_outbox or row["message_id"] in logged_ids:
            continue
        items.append(
            {
                "id": f"o{row['id']}",
                "direction": "out",
                "body": row["body"],
                "status": row["status"],
                "kind": row["kind"] or "",
                "at": row["next_attempt_at"] or row["created_at"],
                "time": _local(row["next_attempt_at"] or row["created_at"]),
            }
        )
    # Same-second rows keep log order: message ids first, then waiting outbox rows.
    items.sort(key=lambda item: (item["at"] or "", item["id"][0] == "o", int(item["id"][1:])))
    return items


def demo_residents(db, limit=50):
    """Residents to pick from in the number field: named ones first, with their hamlet."""
    rows = db.execute(
        """
        SELECT residents.phone, residents.name, hamlets.name AS hamlet
        FROM residents LEFT JOIN hamlets ON hamlets.id = residents.hamlet_id
        WHERE residents.name IS NOT NULL AND residents.name != ''
        ORDER BY residents.id
        LIMIT ?
        """,
        [limit],
    ).fetchall()
    return [
        {"phone": phone, "display": phones.display(phone), "name": name, "hamlet": hamlet or ""}
        for phone, name, hamlet in rows
    ]


def who(db, phone):
    """A short label for PHONE: the resident's name and hamlet when known."""
    resident = residents.by_phone(db, phone)
    if not resident or not resident["name"]:
        return ""
    return resident["name"]
