"""What the request page shows beyond the request itself: links, follow-ups, suggestions."""

from app import profiles, residents
from app.catalogue import guidance
from app.request_queue import attention, conversions, follow_ups

# How soon an officer can promise to call back, in minutes, as the form offers it.
CALL_BACK_MINUTES = (30, 60, 120, 240)


def extras(db, row):
    """The request page's context: stated facts, the visit booked from it, its follow-ups."""
    resident = residents.get(db, row["resident_id"]) if row["resident_id"] else None
    return {
        "said": profiles.said_suggestions(db, row["id"], resident) if resident else [],
        "linked": conversions.linked(db, row["id"]),
        "follow_ups": follow_ups.for_request(db, row["id"]),
        "read_by": attention.read_by(db, row["id"]) if row["attention"] else None,
        "procedures": guidance.all_procedures(db),
        "call_back_minutes": CALL_BACK_MINUTES,
    }
