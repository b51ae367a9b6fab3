"""The dialogue engine: one inbound SMS in, the reply bodies out, whichever provider carried it.

`handle_sms` stores the message first, then answers it in a second transaction, so a crash
while answering never loses what the resident wrote. It never touches flask.request: both
webhooks (and any future channel) call it with plain values.
"""

import datetime as dt
import logging
import re
import unicodedata
from dataclasses import dataclass, field

from app import (
    catalog,
    clock,
    commune_settings,
    guidance,
    hamlets,
    messages,
    outbox,
    phones,
    residents,
    trips,
)
from app import requests as queue
from app.texts import fits_one_sms, sms_day, sms_time
from db import cache, transaction
from sms import keywords, replies, state
from sms.keywords import (
    CANCEL,
    DIGIT,
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

log = logging.getLogger(__name__)

RATE_FLAG = "SMS rate limit: {count} messages in {minutes} minutes, replies paused"
MENU_VISIT_HAMLET, MENU_SCHEDULE_HAMLET, MENU_GUIDE = "visit_hamlet", "schedule_hamlet", "guide"
MENU_KEYS = {
    MENU_VISIT_HAMLET: "sms_ask_hamlet",
    MENU_SCHEDULE_HAMLET: "sms_ask_hamlet_schedule",
    MENU_GUIDE: "sms_guide_menu",
}
REF_SHAPE = re.compile(r"^[A-Z0-9]{5}$")
MAX_STATUS_ITEMS = 4


@dataclass
class Outcome:
    """What became of one inbound SMS: its stored row, the replies and the intent."""

    inbound: dict
    replies: list = field(default_factory=list)
    intent: str = ""
    request: dict | None = None
    duplicate: bool = False


@dataclass
class Answer:
    """The engine's decision before it is stored."""

    intent: str
    replies: list = field(default_factory=list)
    request: dict | None = None


def _load_vocabulary(db):
    """The keyword table for the active procedures."""
    return keywords.Vocabulary(guidance.all_procedures(db))


def _vocabulary(db):
    """The keyword table, rebuilt only when the procedure catalogue changes."""
    return cache.cached(db, "sms.vocabulary", _load_vocabulary)


def handle_sms(
    db,
    *,
    phone,
    body,
    provider,
    provider_id,
    dedupe_key,
    reply_via="inline",
    opt_out_type=None,
):
    """Store one inbound SMS, work out the answer, store it and return an Outcome.

    REPLY_VIA "inline" leaves sending to the caller (TwiML); "outbox" queues each reply for
    the worker (the Android gateway cannot answer inline). A retried delivery (same
    DEDUPE_KEY) returns the replies stored the first time and changes nothing.
    """
    body = unicodedata.normalize("NFC", body or "")
    try:
        e164 = phones.normalise(phone)
    except phones.InvalidPhone:
        e164 = None
    with transaction(db):
        resident = residents.find_or_create(db, e164, raw=phone) if e164 else None
        inbound, is_new = messages.record_inbound(
            db,
            provider=provider,
            provider_id=provider_id,
            dedupe_key=dedupe_key,
            phone=e164 or str(phone or ""),
            body=body,
            resident_id=resident["id"] if resident else None,
        )
        if resident is None and inbound["intent"] is None:
            # Short codes and alphanumeric senders (carrier promotions) cannot be answered.
            inbound = messages.classify(db, inbound["id"], intent="bad_sender", status="ignored")
    if inbound["intent"] is not None:
        return _replayed(db, inbound, is_new)
    try:
        with transaction(db):
            # A copy of this delivery (a provider retry arriving at once, or one after a crash
            # between the two transactions) may have answered it since it was stored: whoever
            # holds the write lock first answers, the others send the same replies.
            if messages.get(db, inbound["id"])["intent"] is not None:
                answer = None
            else:
                answer = converse(db, resident, inbound, body, opt_out_type)
                inbound = _store(db, resident, inbound, answer, provider, reply_via)
    except Exception:
        log.exception("SMS %s could not be answered; sending help", inbound["id"])
        answer = Answer("error", [catalog.sms("sms_help", resident["language"] or "vi")])
        with transaction(db):
            if messages.get(db, inbound["id"])["intent"] is not None:
                answer = None
            else:
                inbound = _store(db, resident, inbound, answer, provider, reply_via)
    if answer is None:
        return _replayed(db, messages.get(db, inbound["id"]), False)
    return Outcome(inbound, answer.replies, answer.intent, answer.request)


def _replayed(db, inbound, is_new):
    """The Outcome of a message already answered: the replies stored the first time."""
    if is_new:  # answered in the storing transaction (a sender that cannot be answered)
        return Outcome(inbound, [], inbound["intent"])
    stored = stored_replies(db, inbound)
    return Outcome(inbound, stored, inbound["intent"] or "", duplicate=True)


def _reply_key(inbound, number):
    """Outbox dedupe key of the NUMBER-th reply to an inbound message."""
    return f"reply:{inbound['id']}:{number}"


def stored_replies(db, inbound):
    """Return the reply bodies stored for an inbound message, inline or queued."""
    bodies = [row["body"] for row in messages.replies_to(db, inbound["id"])]
    if bodies:
        return bodies
    cursor = db.conn.execute(
        "SELECT body FROM outbox WHERE reply_to_id = ? ORDER BY id", [inbound["id"]]
    )
    return [body for (body,) in cursor]


def _store(db, resident, inbound, answer, provider, reply_via):
    """Store the replies (and queue them when they cannot go inline); classify the message."""
    request_id = answer.request["id"] if answer.request else None
    for number, body in enumerate(answer.replies):
        if reply_via == "outbox":
            # The outbox row is the stored reply; the sender logs it as a message when it
            # leaves, with the gateway's id, so delivery reports find it.
            outbox.enqueue(
                db,
                resident["phone"],
                body,
                kind="reply",
                request_id=request_id,
                dedupe_key=_reply_key(inbound, number),
                reply_to_id=inbound["id"],
            )
            continue
        messages.record_outbound(
            db,
            provider=provider,
            phone=resident["phone"],
            body=body,
            status="queued",
            reply_to_id=inbound["id"],
            request_id=request_id,
            resident_id=resident["id"],
            intent=answer.intent,
        )
    status = "replied" if answer.replies else "received"
    if answer.intent in ("rate_limited",):
        status = "ignored"
    return messages.classify(
        db, inbound["id"], intent=answer.intent, status=status, request_id=request_id
    )


def converse(db, resident, inbound, body, opt_out_type=None):
    """Decide the answer to BODY from RESIDENT; return an Answer (nothing stored yet)."""
    phone = resident["phone"]
    language = resident["language"] or "vi"
    # Twilio Advanced Opt-Out has already answered STOP/START/HELP itself.
    kind = (opt_out_type or "").strip().upper()
    if kind == "STOP":
        residents.opt_out(db, resident["id"])
        return Answer("opt_out")
    if kind == "START":
        residents.opt_in(db, resident["id"])
        return Answer("opt_in")
    if kind == "HELP":
        return Answer("help")

    limit, seconds = commune_settings.sms_rate_limit(db)
    since = clock.now() - dt.timedelta(seconds=seconds)
    count = messages.inbound_count_since(db, phone, since)
    if count > limit:
        if not resident["flagged_at"]:
            reason = RATE_FLAG.format(count=count, minutes=seconds // 60)
            residents.flag(db, resident["id"], reason)
        return Answer("rate_limited")

    parsed = keywords.parse(body, vocab=_vocabulary(db))
    if parsed.intent and parsed.language and parsed.language != language:
        resident = residents.update(db, resident["id"], language=parsed.language)
        language = parsed.language
    elif not parsed.intent and parsed.language:
        language = parsed.language  # English-looking text: answer in English this once
    menu, data = state.get(db, phone)

    if parsed.intent == DIGIT:
        if menu:
            return _pick(db, resident, inbound, menu, data, parsed.number)
        return _unknown(db, resident, inbound, body, language)
    if parsed.intent is None and menu in (MENU_VISIT_HAMLET, MENU_SCHEDULE_HAMLET):
        hamlet, _rest = hamlets.find_in_text(db, body)
        if hamlet:
            state.clear(db, phone)
            if menu == MENU_VISIT_HAMLET:
                return _open_visit(db, resident, inbound, hamlet["id"], data.get("description"))
            return _schedule(db, resident, hamlet, data.get("language", language))
    if parsed.intent is None:
        if not body.strip():
            return Answer("empty", [catalog.sms("sms_help", language)])
        return _unknown(db, resident, inbound, body, language)

    if parsed.intent not in (GUIDE, PROCEDURE):
        state.clear(db, phone)
    handler = HANDLERS[parsed.intent]
    return handler(db, resident, inbound, parsed, language)


def _unknown(db, resident, inbound, body, language):
    """Queue the raw text for staff as a question and send the help text: nothing is lost."""
    request, _created = queue.open_request(
        db,
        phone=resident["phone"],
        kind=queue.QUESTION,
        channel="sms",
        description=body.strip() or None,
        source_key=inbound["dedupe_key"],
    )
    return Answer("unknown", [catalog.sms("sms_unknown", language)], request)


def _help(db, resident, inbound, parsed, language):
    return Answer("help", [catalog.sms("sms_help", language)])


def _visit(db, resident, inbound, parsed, language):
    """Open a home-visit request, or say the open one stands, or ask for the hamlet."""
    current = queue.open_visit_for(db, resident["id"])
    if current:
        if parsed.rest:
            queue.record_event(
                db,
                current["id"],
                "resident_wrote",
                actor_type="resident",
                actor=resident["phone"],
                channel="sms",
                note=parsed.rest,
            )
        return Answer("visit_exists", [_exists_reply(db, current, language)], current)
    hamlet, _rest = hamlets.find_in_text(db, parsed.rest) if parsed.rest else (None, "")
    hamlet_id = hamlet["id"] if hamlet else resident["hamlet_id"]
    description = parsed.rest or None
    if not hamlet_id:
        return _show_menu(
            db,
            resident["phone"],
            MENU_VISIT_HAMLET,
            _hamlet_items(db),
            language,
            description=description,
        )
    return _open_visit(db, resident, inbound, hamlet_id, description)


def _open_visit(db, resident, inbound, hamlet_id, description):
    """Open the visit through the queue and confirm it with its reference and day."""
    request, created = queue.open_request(
        db,
        phone=resident["phone"],
        kind=queue.VISIT,
        channel="sms",
        description=description,
        hamlet_id=hamlet_id,
        source_key=inbound["dedupe_key"],
    )
    resident = residents.get(db, resident["id"])
    language = resident["language"] or "vi"
    if not created:
        return Answer("visit_exists", [_exists_reply(db, request, language)], request)
    body = replies.with_no_otp(queue.confirmation_sms(db, request), language)
    return Answer("visit", [body], request)


def _exists_reply(db, request, language):
    """Tell the resident that their earlier visit request stands."""
    trip = trips.get(db, request["trip_id"]) if request["trip_id"] else None
    if trip:
        day = sms_day(clock.to_local(trip["starts_at"]).date(), language)
        return catalog.sms("sms_visit_exists_day", language, ref=request["ref"], day=day)
    return catalog.sms("sms_visit_exists", language, ref=request["ref"])


def _cancel(db, resident, inbound, parsed, language):
    """Cancel the resident's open visit, or the request whose reference follows HUY."""
    words = parsed.words
    if words and REF_SHAPE.match(words[0]):
        request = queue.by_ref(db, words[0])
        if not request or request["resident_id"] != resident["id"]:
            body = catalog.sms("sms_cancel_not_found", language, ref=words[0])
            return Answer("cancel_not_found", [body])
    elif len(words) > 2:
        # "Huy day, con ba Nam...": Huy is also a given name, so a sentence goes to staff.
        return _unknown(db, resident, inbound, inbound["body"], language)
    else:
        request = queue.open_visit_for(db, resident["id"])
        if not request:
            return Answer("cancel_none", [catalog.sms("sms_cancel_none", language)])
    if request["status"] in queue.CLOSED_STATUSES:
        body = catalog.sms("sms_cancel_closed", language, ref=request["ref"])
        return Answer("cancel_closed", [body], request)
    # The reply below confirms it, so the queue sends no separate notice.
    request = queue.cancel_request(
        db,
        request["id"],
        actor_type="resident",
        actor=resident["phone"],
        channel="sms",
        note="cancelled by SMS",
    )
    return Answer("cancel", [catalog.sms("sms_cancelled", language, ref=request["ref"])], request)


def _schedule_intent(db, resident, inbound, parsed, language):
    """Answer when the team next comes to the named hamlet or the resident's own."""
    hamlet, _rest = hamlets.find_in_text(db, parsed.rest) if parsed.rest else (None, "")
    hamlet = hamlet or hamlets.get(db, resident["hamlet_id"])
    if not hamlet:
        return _show_menu(db, resident["phone"], MENU_SCHEDULE_HAMLET, _hamlet_items(db), language)
    return _schedule(db, resident, hamlet, language)


def _schedule(db, resident, hamlet, language):
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
    start = clock.to_local(trip["starts_at"])
    body = catalog.sms(
        "sms_schedule",
        language,
        hamlet=hamlet["name"],
        day=sms_day(start.date(), language),
        time=sms_time(start),
    )
    return Answer("schedule", [replies.with_no_otp(body, language)])


def _status(db, resident, inbound, parsed, language):
    """List the resident's open requests with their reference and day."""
    open_requests = queue.open_requests_for(db, resident["id"])
    if not open_requests:
        return Answer("status", [catalog.sms("sms_status_none", language)])
    items = [_status_item(db, request, language) for request in open_requests]
    items = items[:MAX_STATUS_ITEMS]
    while True:
        body = catalog.sms("sms_status", language, items="; ".join(items))
        if fits_one_sms(body) or len(items) == 1:
            return Answer("status", [body])
        items.pop()


def _status_item(db, request, language):
    """One request in the status reply: "K4C7A den nha Thu 3 02/12"."""
    if request["kind"] == queue.QUESTION:
        return catalog.text("sms_status_question", language, ref=request["ref"])
    trip = trips.get(db, request["trip_id"]) if request["trip_id"] else None
    if trip:
        day = sms_day(clock.to_local(trip["starts_at"]).date(), language)
        return catalog.text("sms_status_visit_day", language, ref=request["ref"], day=day)
    return catalog.text("sms_status_visit", language, ref=request["ref"])


def _question(db, resident, inbound, parsed, language):
    """Queue the text after HOI as a question for staff."""
    if not parsed.rest:
        return Answer("question_prompt", [catalog.sms("sms_question_prompt", language)])
    request, _created = queue.open_request(
        db,
        phone=resident["phone"],
        kind=queue.QUESTION,
        channel="sms",
        description=parsed.rest,
        source_key=inbound["dedupe_key"],
    )
    body = catalog.sms("sms_question_received", language, ref=request["ref"])
    return Answer("question", [body], request)


def _guide(db, resident, inbound, parsed, language):
    """HD alone shows the numbered procedure menu; HD with a code or number answers it."""
    if parsed.words:
        number = keywords.menu_pick(parsed.rest)
        if number is not None:
            procedure = guidance.by_menu_number(db, number)
            if procedure:
                return _guidance(procedure, language)
        inner = keywords.parse(parsed.rest, vocab=_vocabulary(db))
        if inner.intent == PROCEDURE:
            return _guidance(guidance.get(db, inner.code), language)
    return _show_menu(db, resident["phone"], MENU_GUIDE, _procedure_items(db, language), language)


def _procedure(db, resident, inbound, parsed, language):
    return _guidance(guidance.get(db, parsed.code), language)


def _guidance(procedure, language):
    """Two one-segment SMS: the steps, then the documents to bring."""
    bodies = [guidance.sms_steps(procedure, language), guidance.sms_documents(procedure, language)]
    return Answer("guidance", bodies)


def _opt_out(db, resident, inbound, parsed, language):
    residents.opt_out(db, resident["id"])
    return Answer("opt_out", [catalog.sms("sms_opted_out", language)])


def _opt_in(db, resident, inbound, parsed, language):
    residents.opt_in(db, resident["id"])
    return Answer("opt_in", [catalog.sms("sms_opted_in", language)])


def _language(db, resident, inbound, parsed, language):
    return Answer("language", [catalog.sms("sms_language", language)])


def _hamlet_items(db):
    """Menu items for the active hamlets: (number, name, hamlet id)."""
    return [(n, row["name"], row["id"]) for n, row in enumerate(hamlets.active(db), start=1)]


def _procedure_items(db, language="vi"):
    """Menu items for the active procedures: plain short names, not internal codes."""
    return [
        (row["menu_number"], guidance.spoken_name(row, language), row["code"])
        for row in guidance.all_procedures(db)
    ]


def _show_menu(db, phone, menu, items, language, page=0, **extra):
    """Send one page of a numbered menu and remember what its numbers mean."""
    labels = [(number, label) for number, label, _value in items]
    pages = replies.menu_pages(MENU_KEYS[menu], language, labels)
    page = page % len(pages)
    data = {
        "language": language,
        "page": page,
        "items": [[number, label, value] for number, label, value in items],
        **extra,
    }
    state.put(db, phone, menu, data)
    return Answer("menu" if menu == MENU_GUIDE else "ask_hamlet", [pages[page]])


def _pick(db, resident, inbound, menu, data, number):
    """Act on a digit sent after a numbered menu."""
    language = data.get("language") or resident["language"] or "vi"
    items = [tuple(item) for item in data.get("items", [])]
    extra = {key: value for key, value in data.items() if key not in ("language", "page", "items")}
    if number == 0:
        return _show_menu(
            db, resident["phone"], menu, items, language, page=data.get("page", 0) + 1, **extra
        )
    chosen = next((value for n, _label, value in items if n == number), None)
    if chosen is None:
        page = data.get("page", 0)
        answer = _show_menu(db, resident["phone"], menu, items, language, page=page, **extra)
        answer.intent = "menu_retry"
        return answer
    if menu == MENU_GUIDE:
        procedure = guidance.get(db, chosen)
        if procedure:
            return _guidance(procedure, language)
        return _show_menu(
            db, resident["phone"], MENU_GUIDE, _procedure_items(db, language), language
        )
    state.clear(db, resident["phone"])
    hamlet = hamlets.get(db, chosen)
    if not hamlet:
        return _unknown(db, resident, inbound, inbound["body"], language)
    if menu == MENU_VISIT_HAMLET:
        return _open_visit(db, resident, inbound, hamlet["id"], extra.get("description"))
    return _schedule(db, resident, hamlet, language)


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
