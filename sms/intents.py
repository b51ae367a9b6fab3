"""What each keyword does: one handler per intent, each returning an Answer (nothing sent).

Every request goes through the queue (app.request_queue.service_requests), so an SMS opens,
cancels and reports on requests exactly as voice, staff and the API do.
"""

import re

from app import communes, lifecycle, residents, trips
from app.catalogue import catalog, commune_settings, guidance, hamlets, place_names
from app.infra import clock
from app.language import days
from app.language.keywords import (
    CANCEL,
    GUIDE,
    HELP,
    LANG_EN,
    LANG_VI,
    OPT_IN,
    OPT_OUT,
    PROCEDURE,
    QUESTION,
    SCHEDULE,
    STATUS,
    VISIT,
)
from app.language.texts import fits_one_sms
from app.request_queue import service_requests
from app.request_queue.asked import Asked
from db import cache
from sms import keywords, replies
from sms.menus import (
    MENU_GUIDE,
    MENU_SCHEDULE_HAMLET,
    MENU_VISIT_HAMLET,
    hamlet_items,
    procedure_items,
    show_menu,
)
from sms.nlu import dates
from sms.replies import Answer

REF_SHAPE = re.compile(r"^[A-Z0-9]{5}$")
MAX_STATUS_ITEMS = 4


def _load_vocabulary(db):
    """The keyword table for the active procedures."""
    return keywords.Vocabulary(guidance.all_procedures(db))


def vocabulary(db):
    """The keyword table, rebuilt only when the procedure catalogue changes."""
    return cache.cached(db, "sms.vocabulary", _load_vocabulary, communes.current_id())


def question_for_staff(db, resident, inbound, text):
    """Open TEXT as the resident's question for staff, once per INBOUND message; return it."""
    request, _created = service_requests.open_request(
        db,
        Asked.question(
            resident["phone"], "sms", text.strip() or None, source_key=inbound["dedupe_key"]
        ),
        resident=resident,
    )
    return request


def unknown(db, resident, inbound, body, language):
    """Queue the raw text for staff as a question and send the help text: nothing is lost."""
    request = question_for_staff(db, resident, inbound, body)
    return Answer("unknown", [catalog.sms("sms_unknown", language)], request)


def _help(db, resident, inbound, parsed, language):
    return Answer("help", [catalog.sms("sms_help", language)])


def _visit(db, resident, inbound, parsed, language):
    """Open a home-visit request, or say the open one stands, or ask for the hamlet."""
    hamlet, _rest = hamlets.find_in_text(db, parsed.rest) if parsed.rest else (None, "")
    hamlet_id = hamlet["id"] if hamlet else resident["hamlet_id"]
    description = parsed.rest or None
    # The reason for the visit, when the understanding step found one ("den nha lam can cuoc").
    procedure = parsed.code if parsed.intent == VISIT else None
    documents = parsed.send_guidance
    if hamlet_id:
        # The queue itself finds a visit already open (one check, not two).
        answer = open_visit(db, resident, inbound, hamlet_id, description, procedure, documents)
        if answer.intent == "visit_exists":
            _note_resident_wrote(db, resident, answer.request, parsed.rest)
        return answer
    current = service_requests.open_visit_for(db, resident["id"])
    if current:
        _note_resident_wrote(db, resident, current, parsed.rest)
        return Answer("visit_exists", [_exists_reply(db, current, language)], current)
    # A former commune named ("bên Phú Long") narrows the menu to its hamlets; a place the
    # list does not know ("ấp Bình Thạnh") becomes a suggested alias of the hamlet picked.
    words = parsed.rest or ""
    return show_menu(
        db,
        resident["phone"],
        MENU_VISIT_HAMLET,
        hamlet_items(db, place_names.former_commune(db, words)),
        language,
        description=description,
        procedure=procedure,
        documents=documents,
        place=place_names.unknown_place(words),
        message_id=dict(inbound).get("id"),
    )


def _note_resident_wrote(db, resident, request, text):
    """Add what the resident wrote about their open visit to its history."""
    if text:
        lifecycle.record_event(
            db,
            request["id"],
            "resident_wrote",
            actor_type="resident",
            actor=resident["phone"],
            channel="sms",
            note=text,
        )


def open_visit(db, resident, inbound, hamlet_id, description, procedure=None, documents=False):
    """Open the visit through the queue and confirm it with its reference and day.

    A visit for a procedure (PROCEDURE, a code) carries it as its service code, so the trip
    sheet lists the documents to check; with DOCUMENTS (the message also asked how the
    procedure goes) a second SMS tells the resident what to have ready.
    """
    procedure = guidance.get(db, procedure) if procedure else None
    request, created = service_requests.open_request(
        db,
        Asked.visit(
            resident["phone"],
            "sms",
            hamlet_id=hamlet_id,
            source_key=inbound["dedupe_key"],
            service_code=procedure["code"] if procedure else None,
            description=description,
            **_who_opens(inbound),
        ),
        resident=resident,
    )
    language = resident["language"] or "vi"
    if not created:
        return Answer("visit_exists", [_exists_reply(db, request, language)], request)
    body = replies.with_no_otp(
        service_requests.confirmation_sms(db, request, language=language), language
    )
    if procedure and documents:
        return Answer("visit", [body, guidance.sms_documents(procedure, language)], request)
    return Answer("visit", [body], request)


def _exists_reply(db, request, language):
    """Tell the resident that their earlier visit request stands."""
    trip = trips.get(db, request["trip_id"]) if request["trip_id"] else None
    if trip:
        day = days.sms_day_of(trip["starts_at"], language)
        return catalog.sms("sms_visit_exists_day", language, ref=request["ref"], day=day)
    return catalog.sms("sms_visit_exists", language, ref=request["ref"])


def _cancel(db, resident, inbound, parsed, language):
    """Cancel the resident's open visit, or the request whose reference follows HUY."""
    words = parsed.words
    if words and REF_SHAPE.match(words[0]):
        request = service_requests.by_ref(db, words[0])
        if not request or request["resident_id"] != resident["id"]:
            body = catalog.sms("sms_cancel_not_found", language, ref=words[0])
            return Answer("cancel_not_found", [body])
    elif len(words) > 2:
        # "Huy day, con ba Nam...": Huy is also a given name, so a sentence goes to staff.
        return unknown(db, resident, inbound, inbound["body"], language)
    else:
        request = service_requests.open_visit_for(db, resident["id"])
        if not request:
            return Answer("cancel_none", [catalog.sms("sms_cancel_none", language)])
    if request["status"] in lifecycle.CLOSED_STATUSES:
        body = catalog.sms("sms_cancel_closed", language, ref=request["ref"])
        return Answer("cancel_closed", [body], request)
    # The reply below confirms it, so the queue sends no separate notice.
    request = service_requests.cancel_request(db, request["id"], **_who_acts(resident, inbound))
    return Answer("cancel", [catalog.sms("sms_cancelled", language, ref=request["ref"])], request)


def _schedule_intent(db, resident, inbound, parsed, language):
    """Answer when the team next comes to the named hamlet or the resident's own."""
    hamlet, _rest = hamlets.find_in_text(db, parsed.rest) if parsed.rest else (None, "")
    hamlet = hamlet or hamlets.get(db, resident["hamlet_id"])
    if not hamlet:
        return show_menu(db, resident["phone"], MENU_SCHEDULE_HAMLET, hamlet_items(db), language)
    return schedule(db, resident, hamlet, language)


def schedule(db, resident, hamlet, language):
    """Reply with the next planned trip to HAMLET, or the office number when none."""
    trip = trips.next_trip_for(db, hamlet["id"])
    if not trip:
        office = commune_settings.office_phone(db)
        if office:
            body = catalog.sms("sms_schedule_none", language, hamlet=hamlet["name"], office=office)
        else:
            # Never print a made-up number: until an admin sets one, promise a message instead.
            body = catalog.sms("sms_schedule_none_no_office", language, hamlet=hamlet["name"])
        return Answer("schedule", [body])
    words = days.sms_words_of(trip["starts_at"], language)
    body = catalog.sms("sms_schedule", language, hamlet=hamlet["name"], **words)
    # A resident who already has a visit is not told to ask for one again.
    visit = service_requests.open_visit_for(db, resident["id"]) if resident else None
    if visit and visit["trip_id"] and visit["hamlet_id"] == hamlet["id"]:
        own = days.sms_words_of(trips.get(db, visit["trip_id"])["starts_at"], language)
        body = catalog.sms("sms_schedule_booked", language, ref=visit["ref"], **own)
    elif visit:
        body = catalog.sms(
            "sms_schedule_has_visit", language, hamlet=hamlet["name"], ref=visit["ref"], **words
        )
    return Answer("schedule", [replies.with_no_otp(body, language)])


def schedule_on_date(db, resident, hamlet_code, when, language):
    """Answer a schedule question naming a date: the team's visit then, or its next date.

    None when no hamlet is known (the caller asks for it with the hamlet menu) or no trip is
    planned (the plain schedule answer says so).
    """
    hamlet = hamlets.by_code(db, hamlet_code) if hamlet_code else None
    if not hamlet and resident["hamlet_id"]:
        hamlet = hamlets.get(db, resident["hamlet_id"])
    if not hamlet or not trips.next_trip_for(db, hamlet["id"]):
        return None
    first, last = dates.resolve(when, clock.local_today())
    upcoming = trips.upcoming_for_hamlet(db, hamlet["id"], limit=30)
    on_day = [t for t in upcoming if first <= clock.to_local(t["starts_at"]).date() <= last]
    if on_day:
        words = days.sms_words_of(on_day[0]["starts_at"], language)
        body = catalog.sms("sms_schedule_on_day", language, hamlet=hamlet["name"], **words)
        return Answer("schedule", [replies.with_no_otp(body, language)])
    later = [t for t in upcoming if clock.to_local(t["starts_at"]).date() > last]
    if not later:
        return None
    asked = days.sms_day(first, language) if first == last else f"{first:%d/%m}-{last:%d/%m}"
    words = days.sms_words_of(later[0]["starts_at"], language)
    body = catalog.sms(
        "sms_schedule_not_on_day", language, asked=asked, hamlet=hamlet["name"], **words
    )
    return Answer("schedule", [replies.with_no_otp(body, language)])


def _status(db, resident, inbound, parsed, language):
    """List the resident's open requests with their reference and day."""
    open_requests = service_requests.open_requests_for(db, resident["id"])
    if not open_requests:
        return Answer("status", [catalog.sms("sms_status_none", language)])
    items = [status_item(db, request, language) for request in open_requests]
    items = items[:MAX_STATUS_ITEMS]
    while True:
        body = catalog.sms("sms_status", language, items="; ".join(items))
        if fits_one_sms(body) or len(items) == 1:
            return Answer("status", [body])
        items.pop()


def status_item(db, request, language):
    """One request in the status reply: "K4C7A den nha Thu 3 02/12"."""
    if request["kind"] == lifecycle.QUESTION:
        return catalog.text("sms_status_question", language, ref=request["ref"])
    trip = trips.get(db, request["trip_id"]) if request["trip_id"] else None
    if trip:
        day = days.sms_day_of(trip["starts_at"], language)
        return catalog.text("sms_status_visit_day", language, ref=request["ref"], day=day)
    return catalog.text("sms_status_visit", language, ref=request["ref"])


def _question(db, resident, inbound, parsed, language):
    """Queue the text after HOI as a question for staff."""
    if not parsed.rest:
        return Answer("question_prompt", [catalog.sms("sms_question_prompt", language)])
    request = question_for_staff(db, resident, inbound, parsed.rest)
    body = catalog.sms("sms_question_received", language, ref=request["ref"])
    return Answer("question", [body], request)


def _guide(db, resident, inbound, parsed, language):
    """HD alone shows the numbered procedure menu; HD with a code or number answers it."""
    if parsed.words:
        number = keywords.menu_pick(parsed.rest)
        if number is not None:
            procedure = guidance.by_menu_number(db, number)
            if procedure:
                return guidance_answer(procedure, language)
        inner = keywords.parse(parsed.rest, vocab=vocabulary(db))
        if inner.intent == PROCEDURE:
            return guidance_answer(guidance.get(db, inner.code), language)
    return show_menu(db, resident["phone"], MENU_GUIDE, procedure_items(db, language), language)


def _procedure(db, resident, inbound, parsed, language):
    return guidance_answer(guidance.get(db, parsed.code), language)


def guidance_answer(procedure, language):
    """Two one-segment SMS: the steps, then the documents to bring."""
    bodies = [guidance.sms_steps(procedure, language), guidance.sms_documents(procedure, language)]
    return Answer("guidance", bodies)


def _who_acts(resident, inbound):
    """The actor of a change the message makes: the resident, or the officer who corrected it.

    A correction carries out a message as an officer read it; the history must name that
    officer, not the resident's phone (the resident did not write "cancel").
    """
    officer = inbound.get("corrected_by")
    if officer:
        return {
            "actor_type": "staff",
            "actor": officer,
            "channel": "staff",
            "note": "cancelled by a correction of an SMS",
        }
    return {
        "actor_type": "resident",
        "actor": resident["phone"],
        "channel": "sms",
        "note": "cancelled by SMS",
    }


def _who_opens(inbound):
    """Who opens a visit the message asks for: the officer who corrected it, else the resident."""
    officer = inbound.get("corrected_by")
    return {"actor_type": "staff", "actor": officer} if officer else {}


def _opt_out(db, resident, inbound, parsed, language):
    residents.opt_out(db, resident["id"])
    return Answer("opt_out", [catalog.sms("sms_opted_out", language)])


def _opt_in(db, resident, inbound, parsed, language):
    residents.opt_in(db, resident["id"])
    return Answer("opt_in", [catalog.sms("sms_opted_in", language)])


def _language(db, resident, inbound, parsed, language):
    return Answer("language", [catalog.sms("sms_language", language)])


HANDLERS = {
    VISIT: _visit,
    CANCEL: _cancel,
    HELP: _help,
    GUIDE: _guide,
    SCHEDULE: _schedule_intent,
    STATUS: _status,
    QUESTION: _question,
    OPT_OUT: _opt_out,
    OPT_IN: _opt_in,
    LANG_EN: _language,
    LANG_VI: _language,
    PROCEDURE: _procedure,
}
