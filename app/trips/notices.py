"""What a resident is told about their visit date: the confirmation, a change, the reminder."""

from app import lifecycle, residents
from app.catalogue import catalog, hamlets
from app.delivery import outbox
from app.language import days
from app.trips.schedule import get


def _trip_words(db, request, language):
    """Return the day, time and hamlet name of a request's trip for an SMS."""
    trip = get(db, request["trip_id"])
    hamlet = hamlets.get(db, request["hamlet_id"])
    return {
        **days.sms_words_of(trip["starts_at"], language),
        "hamlet": hamlet["name"] if hamlet else "",
    }


def notify_schedule(db, request, *, had_trip):
    """Queue the SMS that tells a resident their visit date (new, changed, or none yet)."""
    resident = residents.get(db, request["resident_id"])
    if resident is None:
        return
    language = resident["language"] or "vi"
    if request["status"] == "scheduled" and request["trip_id"]:
        words = _trip_words(db, request, language)
        if had_trip:
            kind = "rescheduled"
            body = catalog.sms("visit_rescheduled", language, ref=request["ref"], **words)
            # An older, unsent notice about a previous date would only confuse.
            outbox.cancel_pending(
                db, request_id=request["id"], kind="rescheduled", reason="superseded"
            )
        else:
            kind = "confirmation"
            body = catalog.sms(
                "visit_confirmed",
                language,
                ref=request["ref"],
                hamlet=words["hamlet"],
                day=words["day"],
                time=words["time"],
            )
    else:
        kind = "rescheduled"
        body = catalog.sms("visit_postponed", language, ref=request["ref"])
    outbox.enqueue(
        db,
        resident["phone"],
        body,
        kind=kind,
        request_id=request["id"],
        trip_id=request["trip_id"],
        dedupe_key=lifecycle.notice_key(db, kind, request["id"]),
    )


def reminder_sms(db, request):
    """Return the reminder SMS for a scheduled request."""
    resident = residents.get(db, request["resident_id"])
    language = (resident["language"] if resident else None) or "vi"
    words = _trip_words(db, request, language)
    return catalog.sms("visit_reminder", language, ref=request["ref"], **words)


def queue_reminder(db, request):
    """Queue the "see you tomorrow" SMS for a scheduled request once; return 1 if queued."""
    key = f"reminder:{request['id']}:{request['trip_id']}"
    resident = residents.get(db, request["resident_id"])
    if resident is None or outbox.by_dedupe_key(db, key):
        return 0
    outbox.enqueue(
        db,
        resident["phone"],
        reminder_sms(db, request),
        kind="reminder",
        request_id=request["id"],
        trip_id=request["trip_id"],
        dedupe_key=key,
    )
    return 1
