"""The dialogue: what an inbound SMS means in its context, and which handler answers it.

The context is Twilio's own opt-out handling, the SMS limit, the reply language and the
numbered menu last shown to the phone; the handlers live in sms.intents.
"""

from app import residents
from app.catalogue import catalog, guidance, hamlets, place_names
from app.delivery import messages
from sms import nlu, state, understood
from sms.intents import (
    guidance_answer,
    open_visit,
    schedule,
    unknown,
)
from sms.keywords import DIGIT
from sms.menus import (
    MENU_GUIDE,
    MENU_SCHEDULE_HAMLET,
    MENU_VISIT_HAMLET,
    procedure_items,
    show_menu,
)
from sms.nlu import runtime
from sms.replies import Answer


def converse(db, resident, inbound, body, opt_out_type=None, *, first_message=False):
    """Decide the answer to BODY from RESIDENT; return an Answer (nothing stored yet).

    FIRST_MESSAGE says RESIDENT was created for this message: a first message can be
    neither over the SMS limit nor an answer to a menu, so neither is looked up.
    """
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

    if not first_message and messages.over_rate_limit(db, resident):
        return Answer("rate_limited")

    reading = nlu.understand(body, runtime.catalogue(db))
    found = _converse(db, resident, inbound, body, reading, first_message=first_message)
    return understood.for_a_person(db, resident, inbound, body, reading, found)


def _converse(db, resident, inbound, body, reading, *, first_message=False):
    """The answer to one message as the understanding step read it, in its context."""
    phone = resident["phone"]
    language = resident["language"] or "vi"
    parsed = reading.parsed
    if parsed.intent and parsed.language and parsed.language != language:
        resident = residents.update(db, resident["id"], language=parsed.language)
        language = parsed.language
    elif not parsed.intent and parsed.language:
        language = parsed.language  # English-looking text: answer in English this once
    menu, data = (None, {}) if first_message else state.get(db, phone)
    if menu == understood.MENU_CONFIRM:
        answered = understood.confirmed(db, resident, inbound, reading, data)
        if answered:
            return answered
        menu, data = None, {}  # the one-key question lapsed (and was forgotten)

    if parsed.intent == DIGIT:
        if menu:
            return _pick(db, resident, inbound, menu, data, parsed.number)
        return unknown(db, resident, inbound, body, language)
    if parsed.intent is None and menu in (MENU_VISIT_HAMLET, MENU_SCHEDULE_HAMLET):
        hamlet, _rest = hamlets.find_in_text(db, body)
        if hamlet:
            state.clear(db, phone)
            if menu == MENU_VISIT_HAMLET:
                _suggest_place(db, hamlet, data)
                return open_visit(
                    db,
                    resident,
                    inbound,
                    hamlet["id"],
                    data.get("description"),
                    data.get("procedure"),
                )
            return schedule(db, resident, hamlet, data.get("language", language))
    if reading.intent == "empty":
        return Answer("empty", [catalog.sms("sms_help", language)])
    if reading.family != "guidance" and menu:
        state.clear(db, phone)  # an expired menu needs no clearing: it is never read
    return understood.answer(db, resident, inbound, body, reading, language)


def _pick(db, resident, inbound, menu, data, number):
    """Act on a digit sent after a numbered menu."""
    language = data.get("language") or resident["language"] or "vi"
    items = [tuple(item) for item in data.get("items", [])]
    extra = {key: value for key, value in data.items() if key not in ("language", "page", "items")}
    if number == 0:
        return show_menu(
            db, resident["phone"], menu, items, language, page=data.get("page", 0) + 1, **extra
        )
    chosen = next((value for n, _label, value in items if n == number), None)
    if chosen is None:
        page = data.get("page", 0)
        answer = show_menu(db, resident["phone"], menu, items, language, page=page, **extra)
        answer.intent = "menu_retry"
        return answer
    if menu == MENU_GUIDE:
        procedure = guidance.get(db, chosen)
        if procedure:
            return guidance_answer(procedure, language)
        return show_menu(db, resident["phone"], MENU_GUIDE, procedure_items(db, language), language)
    state.clear(db, resident["phone"])
    hamlet = hamlets.get(db, chosen)
    if not hamlet:
        return unknown(db, resident, inbound, inbound["body"], language)
    if menu == MENU_VISIT_HAMLET:
        _suggest_place(db, hamlet, extra)
        return open_visit(db, resident, inbound, hamlet["id"], *_visit_extra(extra))
    return schedule(db, resident, hamlet, language)


def _suggest_place(db, hamlet, data):
    """The unknown place a visit named becomes a suggested alias of the hamlet picked."""
    if data.get("place"):
        place_names.add(
            db,
            hamlet["id"],
            data["place"],
            status=place_names.SUGGESTED,
            message_id=data.get("message_id"),
        )


def _visit_extra(data):
    """What a visit asked before its hamlet menu carries: (description, procedure, documents)."""
    return data.get("description"), data.get("procedure"), bool(data.get("documents"))
