"""The request queue: open, move and close requests, with an event for every change.

Every channel (SMS, voice, staff, Open311) opens requests through `open_request`, so
assignment, notifications and history behave the same whichever channel was used.
"""

import datetime as dt
import re
import secrets
import sqlite3

from app import communes, lifecycle, residents, trips
from app.catalogue import catalog, hamlets, text_rules
from app.delivery import outbox
from app.infra import clock
from app.language import days
from app.language.texts import N_
from app.lifecycle import (
    ALL_OPEN_STATUSES,
    INITIAL_STATUS,
    OPEN_STATUSES,
    QUESTION_SERVICE_CODE,
    VISIT,
    VISIT_SERVICE_CODE,
    InvalidTransition,
    get,
    notice_key,
    record_event,
    sql_list,
    transition,
)
from app.request_queue import follow_ups
from db import first, insert_returning, rows
from db import update as update_row

# New codes are five digits (DESIGN.md principle 11): a caller reads them out and a feature
# phone types them without switching to letters. No leading zero, which phones and
# spreadsheets drop. Codes issued before were five letters and digits from the alphabet
# below (no 0/O, 1/I/L, 2/Z, 5/S, 8/B); they stay valid and are still found.
REF_LENGTH = 5
REF_FIRST, REF_LAST = 10000, 99999
REF_ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"
REF_PATTERN = re.compile(rf"^(?:[1-9]\d{{{REF_LENGTH - 1}}}|[{REF_ALPHABET}]{{{REF_LENGTH}}})$")


class VisitBeforeTrip(InvalidTransition):
    """Raised when a visit is marked done before its trip's date.

    TEMPLATE and PARAMS let the console say it in the officer's language.
    """

    template = N_("The trip is on %(date)s. A visit can be marked visited only from that day on.")

    def __init__(self, day):
        self.params = {"date": f"{day:%d/%m/%Y}"}
        super().__init__(self.template % self.params)


class AbsenceBeforeTrip(VisitBeforeTrip):
    """Raised when "not found at home" is recorded before its trip's date."""

    template = N_(
        'The trip is on %(date)s. "Not found at home" can be recorded only from that day on.'
    )


def _random_ref():
    """A five-digit reference code, not yet checked against the ones in use."""
    return str(REF_FIRST + secrets.randbelow(REF_LAST - REF_FIRST + 1))


def _insert_request(db, row):
    """Insert ROW under a fresh reference; return it, or None if its source_key is taken."""
    while True:
        row["ref"] = _random_ref()
        try:
            # The unique index on ref, not a lookup first, tells a code already in use.
            return insert_returning(db, "requests", row, on_conflict_do_nothing="source_key")
        except sqlite3.IntegrityError as exc:
            if "requests.ref" not in str(exc):
                raise


def is_ref(text):
    """Tell whether TEXT is shaped like a reference code, new (12345) or old (K4C7A)."""
    return bool(REF_PATTERN.match(str(text or "").strip().upper()))


def by_ref(db, ref):
    """Return the bound commune's request with reference code REF (any case), or None."""
    return first(
        db,
        "SELECT * FROM requests WHERE commune_id = :commune_id AND ref = :ref",
        {"commune_id": communes.current_id(), "ref": str(ref or "").strip().upper()},
    )


def by_source_key(db, source_key):
    """Return the request opened by this provider event, or None."""
    if not source_key:
        return None
    return first(
        db, "SELECT * FROM requests WHERE source_key = :source_key", {"source_key": source_key}
    )


def open_visit_for(db, resident_id):
    """Return the resident's open home-visit request, if any."""
    return first(
        db,
        "SELECT * FROM requests WHERE resident_id = :resident_id AND kind = :kind"
        f" AND status IN {sql_list(OPEN_STATUSES[VISIT])} ORDER BY id LIMIT 1",
        {"resident_id": resident_id, "kind": VISIT},
    )


def open_requests_for(db, resident_id):
    """Return the resident's requests that are still open, oldest first."""
    return rows(
        db,
        "SELECT * FROM requests WHERE resident_id = :resident_id"
        f" AND status IN {sql_list(ALL_OPEN_STATUSES)} ORDER BY id",
        {"resident_id": resident_id},
    )


def open_request(db, asked, *, resident=None, commune=None):
    """Open the request ASKED (an Asked) in COMMUNE (the bound one when None).

    Return (request, created). RESIDENT, when the caller has the row already, saves looking
    it up again. A retried provider event (same source_key) returns the first request. A
    second home-visit request while one is open returns the open one, with created False,
    and changes neither it nor the resident's hamlet.
    """
    if commune is None:
        return _open_request(db, asked, resident)
    with communes.bound(commune):
        return _open_request(db, asked, resident)


def _open_request(db, asked, resident):
    """Open ASKED for the bound commune; see open_request."""
    phone, kind, channel = asked.phone, asked.kind, asked.channel
    hamlet_id, source_key, actor = asked.hamlet_id, asked.source_key, asked.actor
    if resident is None:
        resident = residents.find_or_create(db, phone, **asked.resident_fields)
    if resident["commune_id"] != communes.current_id():
        raise ValueError("a resident of another commune")
    if hamlet_id is not None and hamlets.get(db, hamlet_id) is None:
        hamlet_id = None  # not a hamlet of this commune
    if kind == VISIT:
        current = open_visit_for(db, resident["id"])
        if current:
            # Asking again, even naming another hamlet, neither moves the open visit nor
            # the resident's home away from it; staff move a visit (set_hamlet).
            return current, False
    hamlet_id = hamlet_id or resident["hamlet_id"]
    priority = 1 if asked.vulnerable or residents.is_vulnerable(resident) else 0
    # The usual case is booked as it is stored. A priority request, which may take another's
    # place on a full trip, and one finding no trip generated yet go the long way, below.
    trip, any_trip = None, False
    if kind == VISIT and hamlet_id and not priority:
        trip, any_trip = trips.first_with_room(db, hamlet_id)
    stamp = clock.iso(clock.now())
    status = INITIAL_STATUS[kind]
    row = {
        "commune_id": communes.current_id(),
        "kind": kind,
        "service_code": asked.service_code
        or (VISIT_SERVICE_CODE if kind == VISIT else QUESTION_SERVICE_CODE),
        "resident_id": resident["id"],
        "hamlet_id": hamlet_id,
        "channel": channel,
        "status": "scheduled" if trip else status,
        "description": (asked.description or "").strip() or None,
        "priority": priority,
        "source_key": source_key,
        "requested_at": stamp,
        "updated_at": stamp,
    }
    if trip:
        row.update(trips.booking_fields(trip))
    request = _insert_request(db, row)
    if request is None:
        return by_source_key(db, source_key), False
    if hamlet_id != resident["hamlet_id"] and not asked.keep_resident:
        resident = residents.update(db, resident["id"], hamlet_id=hamlet_id)
    opened = lifecycle.event_row(
        request["id"],
        "opened",
        actor_type=asked.actor_type,
        actor=actor or resident["phone"],
        channel=channel,
        to_status=status,
    )
    if trip:
        booked = trips.booking_event(request, trip, from_status=status)
        lifecycle.record_events(db, [opened, booked])
    else:
        lifecycle.record_events(db, [opened])
        # Every trip full (ANY_TRIP) leaves the request waiting, as assign_to_trip would.
        if kind == VISIT and hamlet_id and not any_trip:
            trips.assign_to_trip(db, request["id"])
            request = get(db, request["id"])
    if asked.notify:
        body = confirmation_sms(db, request)
        outbox.enqueue(
            db,
            resident["phone"],
            body,
            kind="confirmation",
            request_id=request["id"],
            dedupe_key=f"confirmation:{request['id']}",
        )
    return request, True


def confirmation_sms(db, request, *, language=None):
    """Return the SMS that confirms a new request: a visit with its day when known.

    LANGUAGE, when the caller knows the resident's, saves looking it up.
    """
    hamlet = hamlets.get(db, request["hamlet_id"])
    # A booked request's expected time is its trip's start: booking and any change of the
    # trip's time keep the two equal.
    starts_at = request["expected_datetime"] if request["trip_id"] else None
    return confirmation_text(
        request["kind"],
        language or _resident_language(db, request),
        request["ref"],
        hamlet_name=hamlet["name"] if hamlet else None,
        starts_at=starts_at,
    )


def confirmation_text(kind, language, ref, *, hamlet_name=None, starts_at=None):
    """The confirmation of a request from plain values (the API shows it as service_notice)."""
    if kind != VISIT:
        return catalog.sms("question_received", language, ref=ref)
    if starts_at:
        words = days.sms_words_of(starts_at, language)
        return catalog.sms("visit_confirmed", language, ref=ref, hamlet=hamlet_name, **words)
    return catalog.sms("visit_queued", language, ref=ref)


def _resident_language(db, request):
    """Return the language a request's resident reads."""
    resident = residents.get(db, request["resident_id"])
    return (resident["language"] if resident else None) or "vi"


def _notify(db, request, kind, body):
    """Queue one SMS about REQUEST to its resident, once per request and kind."""
    resident = residents.get(db, request["resident_id"])
    if resident:
        outbox.enqueue(
            db,
            resident["phone"],
            body,
            kind=kind,
            request_id=request["id"],
            dedupe_key=notice_key(db, kind, request["id"]),
        )


def mark_visited(db, request_id, *, actor, note=None, notify=True):
    """Record that the team visited; thank the resident by SMS.

    Refused (VisitBeforeTrip) before the day of the request's trip: a visit moved to a later
    date has not happened, and the resident would be thanked and told the new date at once.
    """
    _refuse_before_trip(db, request_id, VisitBeforeTrip)
    request = transition(
        db, request_id, "visited", actor_type="staff", actor=actor, channel="staff", note=note
    )
    if notify:
        language = _resident_language(db, request)
        _notify(db, request, "visited", catalog.sms("visited_thanks", language, ref=request["ref"]))
    _close_origin(db, request, actor)
    follow_ups.finish_all(db, request_id, follow_ups.NOT_HOME, outcome="rebooked", actor=actor)
    return request


def _close_origin(db, visit, actor):
    """Close the question or plea a visit was booked from: the visit has answered it."""
    origin = get(db, visit["origin_request_id"]) if visit["origin_request_id"] else None
    if origin and origin["status"] in ("open", "answered"):
        transition(
            db,
            origin["id"],
            "closed",
            actor_type="staff",
            actor=actor,
            channel="staff",
            action="closed_by_visit",
            note=visit["ref"],
        )


def _refuse_before_trip(db, request_id, error):
    """Raise ERROR when the request's trip is on a later day: its result cannot be known."""
    current = get(db, request_id)
    trip = trips.get(db, current["trip_id"]) if current["trip_id"] else None
    if trip is not None:
        day = dt.date.fromisoformat(trip["date"])
        if day > clock.local_today():
            raise error(day)


def mark_unreachable(db, request_id, *, actor, note=None, notify=True):
    """Record that the team could not find the resident; an officer follows it up.

    The resident is told the team will contact them (never asked to start again), and a
    "not at home" follow-up waits on top of the queue. Refused (AbsenceBeforeTrip) before
    the day of the trip, as "visited" is: the resident would be told the team came and
    found nobody, a day before it comes.
    """
    _refuse_before_trip(db, request_id, AbsenceBeforeTrip)
    request = transition(
        db, request_id, "unreachable", actor_type="staff", actor=actor, channel="staff", note=note
    )
    follow_ups.open_follow_up(db, request_id, follow_ups.NOT_HOME, actor=actor, note=note)
    if notify:
        language = _resident_language(db, request)
        _notify(
            db,
            request,
            "unreachable",
            catalog.sms("visit_unreachable", language, ref=request["ref"]),
        )
    return request


def cancel_request(
    db, request_id, *, actor_type, actor=None, channel=None, note=None, notify=False
):
    """Cancel a home visit or close a question; NOTIFY tells the resident by SMS."""
    request = get(db, request_id)
    target = "cancelled" if request["kind"] == VISIT else "closed"
    request = transition(
        db,
        request_id,
        target,
        actor_type=actor_type,
        actor=actor,
        channel=channel,
        note=note,
        action="cancelled",
    )
    if notify:
        language = _resident_language(db, request)
        _notify(
            db, request, "cancelled", catalog.sms("request_cancelled", language, ref=request["ref"])
        )
    return request


def answer_question(db, request_id, answer, *, actor):
    """Answer a resident's question by SMS and mark it answered (UnsafeText if it may not go)."""
    text_rules.check_resident_text(db, answer)
    request = transition(
        db, request_id, "answered", actor_type="staff", actor=actor, channel="staff", note=answer
    )
    _notify(db, request, "answer", catalog.sms_body(answer))
    return request


def set_hamlet(db, request_id, hamlet_id, *, actor_type, actor=None, channel=None):
    """Set the hamlet of a request and its resident; an unplaced visit then gets a trip."""
    request = get(db, request_id)
    if request["hamlet_id"] == hamlet_id:
        return request
    stamp = clock.iso(clock.now())
    update_row(db, "requests", "id", request_id, {"hamlet_id": hamlet_id, "updated_at": stamp})
    if request["resident_id"]:
        residents.update(db, request["resident_id"], hamlet_id=hamlet_id)
    hamlet = hamlets.get(db, hamlet_id)
    record_event(
        db,
        request_id,
        "hamlet_set",
        actor_type=actor_type,
        actor=actor,
        channel=channel,
        note=hamlet["name"] if hamlet else None,
    )
    if request["kind"] == VISIT and request["status"] == "new" and not request["trip_id"]:
        if trips.assign_to_trip(db, request_id, actor_type=actor_type, actor=actor):
            trips.notify_schedule(db, get(db, request_id), had_trip=False)
    return get(db, request_id)
