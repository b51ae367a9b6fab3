"""How long the answers that play a recording are, measured before the recording is kept.

The worker asks before it keeps a converted recording: the recording is made current for a
moment (in a transaction always rolled back), the voice engine renders every answer it can
give without a caller's own data, and each answer that plays the recording is measured by
the real lengths of the current recordings plus the estimate of what is still said. The
voice blueprint hands prompt_too_long to the app, so the worker asks without importing it.
"""

from flask import current_app, has_request_context

from app import communes
from app.catalogue import guidance, hamlets
from app.catalogue.guidance import procedure_pages
from app.prompts import catalogue
from db import transaction
from voice import lengths
from voice.engine import SAY_LANGUAGES, Turn, goodbye, leave_message, message_saved, show
from voice.menu import (
    hamlet_group_menu,
    hamlet_groups,
    hamlet_menu,
    main_menu,
    schedule_menu,
    visit_menu,
)
from voice.procedure_menus import guidance_menu, procedure_menu

# The reasons a caller is led to the voice message (voice/routes.py and the engine).
MESSAGE_REASONS = (None, "long_call_to_message", "silence_to_message")


class _Measured(Exception):
    """Raised to undo the moment a recording was current, once its answers are measured."""


def _turn(db, commune, language, mode="inbound"):
    return Turn(
        db,
        lengths.MEASURING_CALL,
        lengths.MEASURING_PHONE,
        lang=language,
        mode=mode,
        home=main_menu,
        commune=commune,
    )


def _with_hamlet(turn, hamlet):
    """TURN as a caller linked to HAMLET (read from the turn, never stored)."""
    turn.__dict__["resident"] = {"hamlet_id": hamlet["id"]}
    return turn


def answers(db, commune, language):
    """[(what, limit, response)] of every answer without a caller's own data, shown longest.

    A menu is rendered in full and after each re-prompt; a visit's confirmation names a
    caller's own request, so it is left to the per-prompt budget.
    """
    found, limit = [], lengths.MAX_ANSWER_SECONDS

    def add(what, menu, before=lengths.RE_PROMPTS):
        if menu:
            found.extend((what, limit, response) for response in _shown(turn, menu, before))

    for mode in ("inbound", "callback"):
        turn = _turn(db, commune, language, mode)
        found.append(("greeting", catalogue.GREETING_SECONDS, show(turn, main_menu(turn, True))))
    turn = _turn(db, commune, language)
    add("main menu", main_menu(turn))
    active = hamlets.active(db)
    for purpose in ("visit", "schedule"):
        add(f"hamlets/{purpose}", hamlet_menu(turn, purpose))
        for index in range(1, len(hamlet_groups(active) or []) + 1):
            add(f"hamlets/{purpose}/{index}", hamlet_group_menu(turn, purpose, index))
    for hamlet in active:
        linked = _with_hamlet(_turn(db, commune, language), hamlet)
        add(hamlet["name"], visit_menu(linked))
        add(hamlet["name"], schedule_menu(linked, hamlet))
        add(hamlet["name"], schedule_menu(turn, hamlet))
    for index, page in enumerate(procedure_pages(guidance.all_procedures(db))):
        add("guidance", guidance_menu(turn, index))
        for procedure in page:
            before = (*lengths.RE_PROMPTS, "sms_sent", "sms_not_mobile")
            add(procedure["code"], procedure_menu(turn, procedure), before)
    endings = [leave_message(turn, reason) for reason in MESSAGE_REASONS]
    endings += [message_saved(turn), goodbye(turn)]
    found += [("ending", limit, response) for response in endings]
    return found


def _shown(turn, menu, before=lengths.RE_PROMPTS):
    """MENU rendered in full and repeated after each of BEFORE."""
    return [show(turn, menu)] + [show(turn, menu, before=[key], intro=False) for key in before]


def longest_playing(db, row, seconds):
    """(what, limit, seconds) of the longest answer over its limit that plays ROW, or None.

    ROW, a pending recording of SECONDS, is made current for the measure and then undone.
    """
    try:
        with transaction(db):
            db["prompt_recordings"].update(
                row["id"], {"status": "ready", "duration_ms": round(seconds * 1000)}
            )
            raise _Measured(_measure(db, row))
    except _Measured as measured:
        return measured.args[0]


def _measure(db, row):
    """The worst answer over its limit that plays ROW, in every commune that may play it."""
    if row["language"] not in SAY_LANGUAGES:
        return None
    chosen = [communes.by_id(db, row["commune_id"])] if row["commune_id"] else communes.every(db)
    worst = None
    context = None if has_request_context() else current_app.test_request_context()
    if context:
        context.push()
    try:
        for commune in chosen:
            # Each commune's answers are said with its own hamlets and procedures, as a call
            # to its number would; the worker that measures binds no commune of its own.
            with communes.bound(commune):
                for what, limit, response in answers(db, commune, row["language"]):
                    if row["token"] not in str(response):
                        continue
                    total = lengths.spoken_seconds(response, db)
                    if total > limit and (worst is None or total - limit > worst[2] - worst[1]):
                        worst = (what, limit, round(total, 1))
    finally:
        if context:
            context.pop()
    return worst


def prompt_too_long(db, row, seconds):
    """The rule name when a recording of SECONDS would make an answer too long, else None."""
    worst = longest_playing(db, row, seconds)
    if worst is None:
        return None
    return "greeting" if worst[1] == catalogue.GREETING_SECONDS else "answer"
