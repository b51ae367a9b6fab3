"""Answering what the understanding step read: act, ask with one key, or hand to a person.

The dialogue (sms.dialogue) gives each message to `sms.nlu.understand`. An explicit keyword
goes to its handler in sms.intents as before; free text the classifier is sure of goes to the
same handlers; a likely home visit or cancellation is asked about with one key; anything
else becomes a question for staff and the resident is told so, with the two likeliest
keywords. Emergencies, pleas and long messages also reach a person (app.request_queue.attention).
"""

from app import lifecycle, residents
from app.catalogue import catalog, guidance
from app.catalogue.hamlets import by_code as hamlets_by_code
from app.delivery import messages, outbox
from app.language.keywords import (
    CANCEL,
    HELP,
    LANG_EN,
    LANG_VI,
    OPT_IN,
    OPT_OUT,
    QUESTION,
    SCHEDULE,
    STATUS,
    VISIT,
)
from app.request_queue import attention, corrections, service_requests
from sms import intents, keywords, state
from sms.menus import MENU_GUIDE, procedure_items, show_menu
from sms.nlu import ACT, CONFIRM, HANDOVER, Reading
from sms.replies import Answer

MENU_CONFIRM = "confirm"
YES, NO = 1, 2
KEYWORD_FOR = {
    "visit": VISIT,
    "schedule": SCHEDULE,
    "status": STATUS,
    "cancel": CANCEL,
    "opt_out": OPT_OUT,
    "opt_in": OPT_IN,
    "help": HELP,
    "language:en": LANG_EN,
    "language:vi": LANG_VI,
}


def answer(db, resident, inbound, body, reading, language):
    """The Answer to a message as READING understood it (nothing sent yet)."""
    if reading.decision == HANDOVER:
        return handover(db, resident, inbound, body, reading, language)
    if reading.decision == CONFIRM:
        return ask(db, resident, body, reading, language)
    return act(db, resident, inbound, body, reading, language)


def act(db, resident, inbound, body, reading, language):
    """Carry out READING's intent through the keyword handlers."""
    parsed = reading.parsed
    family = reading.family
    if reading.how == "thanks":
        # A thank-you gets one back, never a prompt and no staff item.
        return Answer("thanks", [catalog.sms("sms_thanks", language)])
    if family == "schedule" and reading.when is not None:
        dated = intents.schedule_on_date(db, resident, reading.hamlet, reading.when, language)
        if dated:
            return dated
    if reading.how == "keyword" and parsed.intent not in (VISIT, STATUS):
        return intents.HANDLERS[parsed.intent](db, resident, inbound, parsed, language)
    if family == "guidance":
        procedure = guidance.get(db, reading.procedure) if reading.procedure else None
        if procedure:
            return intents.guidance_answer(procedure, language)
        return show_menu(db, resident["phone"], MENU_GUIDE, procedure_items(db, language), language)
    if family == "question":
        return intents.HANDLERS[QUESTION](db, resident, inbound, parsed, language)
    if family == "status" and reading.reference:
        return status_of(db, resident, reading.reference, language)
    own = _as_keyword(reading, body)
    if family == "visit":
        own.code = reading.procedure  # the reason for the visit: the trip sheet's documents
        own.send_guidance = bool(reading.procedure) and reading.asks_how
        return intents.HANDLERS[VISIT](db, resident, inbound, own, language)
    return intents.HANDLERS[KEYWORD_FOR[reading.intent]](db, resident, inbound, own, language)


def _as_keyword(reading, body):
    """A keyword parse standing for free text: the whole message is the argument."""
    parsed = reading.parsed
    if reading.how == "keyword":
        return parsed
    words = [reading.reference] if reading.reference else []
    return keywords.Parsed(KEYWORD_FOR.get(reading.intent), rest=body.strip(), words=words)


def status_of(db, resident, ref, language):
    """XEM with a code: that request, if it is the sender's; otherwise as for an unknown code."""
    request = service_requests.by_ref(db, ref)
    if not request or request["resident_id"] != resident["id"]:
        return Answer("status_not_found", [catalog.sms("sms_cancel_not_found", language, ref=ref)])
    item = intents.status_item(db, request, language)
    return Answer("status", [catalog.sms("sms_status", language, items=item)], request)


def ask(db, resident, body, reading, language):
    """Ask with one key before booking or cancelling a visit the words only suggest."""
    state.put(
        db,
        resident["phone"],
        MENU_CONFIRM,
        {
            "language": language,
            "intent": reading.intent,
            "hamlet": reading.hamlet,
            "procedure": reading.procedure,
            "body": body,
        },
    )
    key = "sms_confirm_visit" if reading.intent == "visit" else "sms_confirm_cancel"
    return Answer(f"confirm_{reading.intent}", [catalog.sms(key, language)])


def confirmed(db, resident, inbound, reading, data):
    """Answer the one-key question: 1 carries it out, 2 hands the words to staff.

    Anything else than 1 or 2 is read as a new message (the question lapses).
    """
    if reading.intent != "menu_reply" or reading.number not in (YES, NO):
        state.clear(db, resident["phone"])
        return None
    state.clear(db, resident["phone"])
    language = data.get("language") or resident["language"] or "vi"
    body = data.get("body") or ""
    if reading.number == NO:
        return intents.unknown(db, resident, inbound, body, language)
    again = Reading(
        data.get("intent") or "visit",
        decision=ACT,
        hamlet=data.get("hamlet"),
        procedure=data.get("procedure"),
        how="confirmed",
    )
    return act(db, resident, inbound, body, again, language)


def handover(db, resident, inbound, body, reading, language):
    """Hand the words to staff as a question; suggest the two likeliest keywords."""
    request = intents.question_for_staff(db, resident, inbound, body)
    if reading.likely and dict(inbound).get("id"):
        # The console offers these as one-tap labels: a tap corrects and carries it out.
        messages.set_likely(db, inbound["id"], likely_labels(reading))
    hints = ", ".join(catalog.text(f"sms_hint_{hint}", language) for hint in _hints(reading))
    return Answer("unknown", [catalog.sms("sms_handover", language, hints=hints)], request)


def likely_labels(reading):
    """The handover's likeliest meanings as console labels, with the entities found."""
    labels = []
    for intent, probability in reading.likely:
        family = intent.split(":", 1)[0]
        labels.append(
            {
                "intent": family,
                "p": round(probability, 2),
                "hamlet": reading.hamlet,
                "procedure": reading.procedure if family in ("visit", "guidance") else None,
            }
        )
    return labels


HINT_OF_KEYWORD = {
    "HEN": "visit",
    "LICH": "schedule",
    "HD": "guidance",
    "XEM": "status",
    "HUY": "cancel",
    "TUCHOI": "opt_out",
    "BATDAU": "opt_in",
    "?": "help",
    "ENGLISH": "language",
}


def _hints(reading):
    return [
        HINT_OF_KEYWORD[keyword]
        for keyword in reading.suggestions[:2]
        if keyword in HINT_OF_KEYWORD
    ]


def for_a_person(db, resident, inbound, body, reading, found):
    """Long, distressed or emergency messages also reach a person; emergencies get 115/114/113."""
    if not reading.needs_person or found.intent in ("rate_limited", "empty"):
        return found
    # The language as the answer left it (a message may have switched it).
    language = residents.get(db, resident["id"])["language"] or "vi"
    reason = reading.urgency or attention.LONG
    request = found.request if found.request and found.request["kind"] else None
    attention.for_a_person(
        db,
        resident=resident,
        words=body.strip(),
        reason=reason,
        request=request,
        source_key=inbound["dedupe_key"],
    )
    if reading.urgency == attention.EMERGENCY:
        # One SMS: the emergency numbers and that staff will call back, nothing to study.
        found.replies[:] = [catalog.sms("sms_emergency", language)]
    return found


def correct(db, message, correction, *, intent, hamlet=None, procedure=None, actor=None):
    """Carry out what an officer says inbound MESSAGE meant; return the Answer queued.

    The handover question opened for the message is closed (unless it was a question after
    all), the right handler runs as if the words had been understood, and its replies go out
    through the outbox. CORRECTION is the stored row (app.request_queue.corrections): its id
    keys the replies, so a second correction of the same message sends its own, and the
    request it touched gets an event naming the officer.
    """
    resident = residents.get(db, message["resident_id"])
    language = resident["language"] or "vi"
    handed_over = service_requests.by_source_key(db, message["dedupe_key"])
    if intent == "question":
        found = Answer("question", [], handed_over)
        _record_correction(db, message, correction, found, handed_over, actor)
        return found
    if (
        handed_over
        and handed_over["kind"] == lifecycle.QUESTION
        and handed_over["status"] == "open"
    ):
        service_requests.cancel_request(
            db,
            handed_over["id"],
            actor_type="staff",
            actor=actor,
            channel="staff",
            note=f"corrected: {intent}",
        )
    if hamlet:
        row = hamlets_by_code(db, hamlet)
        if row and resident["hamlet_id"] != row["id"]:
            resident = residents.update(db, resident["id"], hamlet_id=row["id"])
    reading = Reading(intent, decision=ACT, hamlet=hamlet, procedure=procedure, how="correction")
    # A fresh source key per correction: the corrected action must not find the handover
    # question again, nor what an earlier correction of the same message opened.
    key = f"correction:{correction['id']}"
    inbound = {**message, "dedupe_key": key, "corrected_by": actor}
    found = act(db, resident, inbound, message["body"] or "", reading, language)
    request_id = found.request["id"] if found.request else None
    for number, body in enumerate(found.replies):
        outbox.enqueue(
            db,
            resident["phone"],
            body,
            kind="reply",
            request_id=request_id,
            dedupe_key=f"{key}:{number}",
        )
    _record_correction(db, message, correction, found, handed_over, actor)
    return found


def _record_correction(db, message, correction, found, handed_over, actor):
    """Keep what the correction did, and put it in the history of the request it touched.

    With no request of its own (an opt-out, a schedule), the event goes on the question the
    message was handed over as, so the history still shows who read it so.
    """
    touched = found.request or handed_over
    corrections.note_outcome(
        db, correction, outcome=found.intent, request_id=touched["id"] if touched else None
    )
    if touched:
        lifecycle.record_event(
            db,
            touched["id"],
            "corrected",
            actor_type="staff",
            actor=actor,
            channel="staff",
            note=f"SMS #{message['id']} read as {correction['intent']}: {found.intent}",
        )
