"""What the simulated phone's screen shows: the SMS thread with one number."""

from flask_babel import force_locale, gettext, pgettext

from app import lifecycle, residents
from app.delivery import messages, outbox
from app.infra import clock
from app.language import phones

OUTBOX_SHOWN = (*lifecycle.SMS_WAITING, "failed", "sent")


def delivery_note(words, status):
    """The screen's note on an SMS not sent yet or never to arrive: "Chờ gửi / waiting to send".

    WORDS is the lifecycle's wording for where the status comes from (message log or outbox).
    """
    if status not in lifecycle.SMS_WAITING + lifecycle.SMS_FAILED:
        return ""
    context, english = words[status] if isinstance(words[status], tuple) else (None, words[status])
    with force_locale("vi"):
        vietnamese = pgettext(context, english) if context else gettext(english)
    return f"{vietnamese} / {english.lower()}"


def _local(stamp):
    """Format stored UTC text as local "HH:MM dd/mm" for the phone screen."""
    moment = clock.to_local(stamp)
    return moment.strftime("%H:%M %d/%m") if moment else ""


def thread(db, commune, phone):
    """Return COMMUNE's thread with PHONE: logged messages, plus outbox rows the log does not hold.

    Inline replies and transport sends are in the message log. An outbox row that the worker
    has not sent yet (quiet hours, a reminder for tomorrow, the worker not running) is shown
    as waiting, so a newcomer sees that it is coming.
    """
    items = []
    logged_outbox, logged_ids = set(), set()
    for row in messages.thread(db, commune, phone):
        logged_ids.add(row["id"])
        if row["outbox_id"]:
            logged_outbox.add(row["outbox_id"])
        items.append(
            {
                "id": f"m{row['id']}",
                "direction": row["direction"],
                "body": row["body"] or "",
                "status": row["status"] or "",
                "note": delivery_note(lifecycle.MESSAGE_STATUS_WORDS, row["status"]),
                "kind": "reply" if row["reply_to_id"] else (row["intent"] or ""),
                "at": row["created_at"],
                "time": _local(row["created_at"]),
            }
        )
    for row in outbox.for_phone(db, commune, phone, OUTBOX_SHOWN):
        if row["id"] in logged_outbox or row["message_id"] in logged_ids:
            continue
        items.append(
            {
                "id": f"o{row['id']}",
                "direction": "out",
                "body": row["body"],
                "status": row["status"],
                "note": delivery_note(lifecycle.OUTBOX_STATUS_WORDS, row["status"]),
                "kind": row["kind"] or "",
                "at": row["next_attempt_at"] or row["created_at"],
                "time": _local(row["next_attempt_at"] or row["created_at"]),
            }
        )
    # Same-second rows keep log order: message ids first, then waiting outbox rows.
    items.sort(key=lambda item: (item["at"] or "", item["id"][0] == "o", int(item["id"][1:])))
    return items


def demo_residents(db, commune, limit=50):
    """COMMUNE's residents to pick from in the number field: named ones first, with their hamlet."""
    return [
        {
            "phone": row["phone"],
            "display": phones.display(row["phone"]),
            "name": row["name"],
            "hamlet": row["hamlet_name"] or "",
        }
        for row in residents.named(db, commune, limit)
    ]


def who(db, commune, phone):
    """A short label for PHONE: COMMUNE's resident's name when known."""
    resident = residents.in_commune(db, commune, phone)
    if not resident or not resident["name"]:
        return ""
    return resident["name"]
