"""A request as Open311 shows it: public status, notes, the notice sent and the resident's name."""

from app import lifecycle
from app.infra import clock
from app.language import days
from app.request_queue import service_requests
from open311.services import QUESTION_SERVICE, VISIT_SERVICE
from open311.spec import PUBLIC_STATUS


def _local(text):
    """Stored UTC text → W3C datetime with the local offset, or None."""
    moment = clock.to_local(text)
    return moment.isoformat() if moment else None


def expected_datetime(row):
    """When the team is expected: the start of the request's trip, in local time."""
    return _local(row["trip_starts_at"] or row["expected_datetime"])


def status_notes(row):
    """Explain a request's internal status in plain words."""
    start = row["trip_starts_at"] or row["expected_datetime"]
    day = days.api_day_of(start) if start else None
    notes = {
        "new": "waiting for a trip",
        "scheduled": f"scheduled for {day}" if day else "scheduled",
        "visited": "visited",
        "cancelled": "cancelled",
        "unreachable": "the resident could not be reached",
        "open": "waiting for an answer from staff",
        "answered": "answered",
        "closed": "closed",
    }
    return notes.get(row["status"], row["status"])


def service_notice(row):
    """The text sent (or read) back to the resident about this request."""
    return service_requests.confirmation_text(
        row["kind"],
        row["language"] or "vi",
        row["ref"],
        hamlet_name=row["hamlet_name"],
        starts_at=row["trip_starts_at"],
    )


def service_name(row):
    """The name of the service a request was filed under."""
    if row["service_code"] == lifecycle.VISIT_SERVICE_CODE:
        return VISIT_SERVICE["service_name"]
    if row["procedure_name"]:
        return row["procedure_name"]
    return QUESTION_SERVICE["service_name"]


def split_name(name):
    """Split a Vietnamese full name into Open311's (first_name, last_name).

    Vietnamese write the family name first: "Nguyễn Thị Hoa" → ("Thị Hoa", "Nguyễn").
    """
    parts = (name or "").split()
    if not parts:
        return None, None
    if len(parts) == 1:
        return parts[0], None
    return " ".join(parts[1:]), parts[0]


def to_open311(row, personal, commune):
    """Render a joined request row of COMMUNE as an Open311 request; PERSONAL adds phone,
    names, text.
    """
    item = {
        "service_request_id": row["ref"],
        "status": PUBLIC_STATUS.get(row["status"], "open"),
        "status_notes": status_notes(row),
        "service_name": service_name(row),
        "service_code": row["service_code"],
        "description": row["description"] if personal else None,
        "agency_responsible": commune.agency,
        "service_notice": service_notice(row),
        "requested_datetime": _local(row["requested_at"]),
        "updated_datetime": _local(row["updated_at"]),
        "expected_datetime": expected_datetime(row),
        "address": row["hamlet_name"],
        "address_id": row["hamlet_code"],
        "zipcode": None,
        "lat": None,
        "long": None,
        "media_url": None,
    }
    if personal:
        first, last = split_name(row["resident_name"])
        item.update({"phone": row["phone"], "first_name": first, "last_name": last})
    return item
