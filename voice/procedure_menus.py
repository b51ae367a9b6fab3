"""The procedure menus: the catalogue a group of five at a time, and one procedure in short."""

from app.catalogue import guidance
from app.catalogue.guidance import procedure_pages
from voice import actions
from voice.engine import (
    SUB_MENU_ENDING,
    Menu,
    reading_menu,
    say,
    say_summary,
    show,
    with_common_keys,
)
from voice.prompts import KEY_MORE_PROCEDURES, KEY_SEND_SMS


def procedure_name(turn, procedure):
    """A procedure's short spoken name in the call's language."""
    return turn.name(guidance.spoken_name(procedure, turn.lang))


def guidance_menu(turn, page):
    """One group of procedures, one key each, and a key for the other groups."""
    pages = procedure_pages(guidance.all_procedures(turn.db))
    if not pages:
        return None
    page = page % len(pages)

    def options(container):
        say(container, turn, "choose_procedure")
        for key, procedure in enumerate(pages[page], start=1):
            say(container, turn, "procedure_option", name=procedure_name(turn, procedure), key=key)
        if len(pages) > 1:
            say(container, turn, "more_procedures")
        for key in SUB_MENU_ENDING:
            say(container, turn, key)

    menu = Menu("voice.guidance", options, params={"page": page}, cache=("procedures",))
    for key, procedure in enumerate(pages[page], start=1):
        menu.keys[str(key)] = lambda procedure=procedure: show(
            turn, procedure_menu(turn, procedure)
        )
    if len(pages) > 1:
        menu.keys[KEY_MORE_PROCEDURES] = lambda: show(turn, guidance_menu(turn, page + 1))
    return with_common_keys(turn, menu)


def page_of(turn, procedure):
    """Return the guidance page that lists PROCEDURE."""
    for index, page in enumerate(procedure_pages(guidance.all_procedures(turn.db))):
        if any(item["code"] == procedure["code"] for item in page):
            return index
    return 0


def procedure_menu(turn, procedure):
    """A procedure in short (where to go, what to bring, the fee), then a key for the SMS.

    The full steps and documents are too long to remember from a call; they go by SMS.
    """

    def intro(container):
        say(container, turn, "procedure_title", name=procedure_name(turn, procedure))
        summary = guidance.spoken_summary(procedure, turn.lang)
        if summary:
            say_summary(container, turn, procedure["code"], summary)

    menu = reading_menu(
        turn,
        "voice.procedure",
        intro,
        {"code": procedure["code"]},
        offer="procedure_sms_offer",
        closing=("hear_again", "procedure_other", "menu_message"),
    )
    if turn.phone:
        menu.keys[KEY_SEND_SMS] = lambda: send_guidance(turn, menu, procedure)
    back = lambda: show(turn, guidance_menu(turn, page_of(turn, procedure)))  # noqa: E731
    return with_common_keys(turn, menu, back=back)


def procedure_menu_for(turn, code):
    """The menu of an active procedure by code, or None."""
    procedure = guidance.get(turn.db, code)
    return procedure_menu(turn, procedure) if procedure and procedure["active"] else None


def send_guidance(turn, menu, procedure):
    """Key 1 after the steps: queue them by SMS and say so."""
    sent = actions.send_guidance(
        turn.db, phone=turn.phone, call_sid=turn.call_sid, procedure=procedure, language=turn.lang
    )
    return show(turn, menu, before=["sms_sent" if sent else "sms_not_mobile"], intro=False)
