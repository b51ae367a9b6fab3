"""The voice menus: the main menu, a home visit, the choice of hamlet and the schedule.

Each menu is data for the engine (voice.engine): the words it says, its key table and
where silence leads. The procedure menus are in voice.procedure_menus.
"""

import math

from app import lifecycle, residents, trips
from app.catalogue import hamlets
from app.language import days, phones
from app.prompts.words import SESSIONS
from voice import actions, calls
from voice.engine import (
    SUB_MENU_ENDING,
    Menu,
    commune_spoken,
    leave_message,
    reading_menu,
    say,
    say_all,
    say_ref,
    show,
    with_common_keys,
)
from voice.procedure_menus import guidance_menu
from voice.prompts import (
    KEY_BOOK,
    KEY_CONFIRM,
    KEY_GUIDANCE,
    KEY_LANGUAGE,
    KEY_MESSAGE,
    KEY_OTHER_HAMLET,
    KEY_REPEAT,
    KEY_SCHEDULE,
    KEY_VISIT,
)

HAMLET_CHOICES = 8  # keys 1-8; 9 stays "repeat" everywhere
PURPOSES = ("visit", "schedule")


# The main menu.


def main_menu(turn, greet=False):
    """The main menu; GREET adds the commune's greeting and the OTP warning.

    The other language is offered last, in one sentence in that language and its own voice
    ("For English, press 8."): whoever needs it understands it, and it costs the Vietnamese
    caller one short line instead of a bilingual one read by the wrong voice.
    """

    def intro(container):
        greeting = "greeting_callback" if turn.mode == "callback" else "greeting"
        say(container, turn, greeting, commune=commune_spoken(turn))
        say(container, turn, "no_otp")

    options = say_all(
        turn, "menu_visit", "menu_guidance", "menu_schedule", "menu_message", "menu_repeat"
    )

    def options_and_language(container):
        options(container)
        say(container, turn, "switch_language", language=other_language(turn))

    # The greeting differs for a call-back; the words are the same for every caller.
    cache = (turn.mode if greet else "",)
    menu = Menu("voice.menu", options_and_language, intro=intro if greet else None, cache=cache)
    menu.keys = {
        KEY_VISIT: lambda: visit_entry(turn),
        KEY_GUIDANCE: lambda: show(turn, guidance_menu(turn, 0) or main_menu(turn)),
        KEY_SCHEDULE: lambda: schedule_entry(turn),
        KEY_MESSAGE: lambda: leave_message(turn),
        KEY_REPEAT: lambda: show(turn, main_menu(turn)),
        KEY_LANGUAGE: lambda: switch_language(turn),
    }
    return menu


def other_language(turn):
    """The language key 8 switches to."""
    return "en" if turn.lang == "vi" else "vi"


def switch_language(turn):
    """Switch the call between Vietnamese and English and say the main menu again."""
    turn.lang = other_language(turn)
    calls.set_language(turn.db, turn.call_sid, turn.lang)
    return show(turn, main_menu(turn))


def known_hamlet(turn):
    """Return the caller's hamlet when their number is linked to an active one."""
    resident = turn.resident
    hamlet = hamlets.get(turn.db, resident["hamlet_id"]) if resident else None
    return hamlet if hamlet and hamlet["active"] else None


# Home visit.


def visit_entry(turn):
    """Key 1: show an open visit, confirm the known hamlet, or ask for the hamlet."""
    if not turn.phone:
        return show(turn, main_menu(turn), before=["no_number"])
    existing = actions.open_visit(turn.db, turn.phone)
    if existing:
        return show(turn, visit_done_menu(turn, existing, opener="visit_existing"))
    menu = visit_menu(turn)
    return show(turn, menu) if menu else hamlet_entry(turn, "visit")


def visit_menu(turn):
    """A known caller confirms the visit to their hamlet with one key."""
    hamlet = known_hamlet(turn)
    if not hamlet or not turn.phone:
        return None

    def options(container):
        say(container, turn, "visit_known", hamlet=turn.name(hamlet["name"]))
        for key in ("visit_confirm", "visit_other_hamlet", *SUB_MENU_ENDING):
            say(container, turn, key)

    menu = Menu("voice.visit", options)
    menu.keys = {
        KEY_CONFIRM: lambda: book(turn, hamlet["id"]),
        KEY_OTHER_HAMLET: lambda: show(turn, hamlet_menu(turn, "visit")),
    }
    return with_common_keys(turn, menu)


def book(turn, hamlet_id):
    """Open the visit request and read back its confirmation."""
    if not turn.phone:
        return show(turn, main_menu(turn), before=["no_number"])
    request, created = actions.book_visit(
        turn.db, phone=turn.phone, call_sid=turn.call_sid, hamlet_id=hamlet_id
    )
    opener = "visit_received" if created else "visit_existing"
    return show(turn, visit_done_menu(turn, request, opener=opener))


def visit_done_menu(turn, request, opener=None):
    """The confirmation: the day in words, the code read twice, then repeat or a message."""

    def intro(container):
        if opener:
            say(container, turn, opener)
        trip = trips.get(turn.db, request["trip_id"]) if request["trip_id"] else None
        hamlet = hamlets.get(turn.db, request["hamlet_id"])
        if trip and hamlet:
            say(container, turn, "visit_day", **trip_words(turn, trip, hamlet))
        else:
            say(container, turn, "visit_call_back")
        say_ref(container, turn, request["ref"])
        if phones.is_mobile(turn.phone):
            say(container, turn, "sms_copy")

    menu = Menu(
        "voice.visit_done",
        # * still leads back to the start, unsaid: the code read twice leaves no time for it.
        say_all(turn, "hear_again", "menu_message", "may_hang_up"),
        intro=intro,
        params={"request_id": request["id"]},
        on_silence="goodbye",
    )
    menu.keys[KEY_REPEAT] = lambda: show(turn, visit_done_menu(turn, request))
    return with_common_keys(turn, menu)


def visit_done_menu_for(turn, request_id):
    """The confirmation menu of the caller's own request, or None."""
    try:
        request = lifecycle.get(turn.db, request_id)
    except lifecycle.RequestNotFound:
        return None
    resident = residents.get(turn.db, request["resident_id"])
    if not resident or resident["phone"] != turn.phone:
        return None
    return visit_done_menu(turn, request)


def trip_words(turn, trip, hamlet):
    """The words for a trip: hamlet, session and the day as spoken ("thứ Ba, ngày 2 tháng 12")."""
    return {
        "hamlet": turn.name(hamlet["name"]),
        "session": SESSIONS[turn.lang].get(trip["session"], SESSIONS[turn.lang]["morning"]),
        "day": days.spoken_day_of(trip["starts_at"], turn.lang),
    }


# Choosing a hamlet (for a visit or to hear the next trip).


def hamlet_groups(rows):
    """Split hamlets into keypad-sized groups: by former commune, else in route order.

    Returns None when one list fits the keypad, else a list of (former commune or None, rows).
    """
    if len(rows) <= HAMLET_CHOICES:
        return None
    by_commune = {}
    for row in rows:
        by_commune.setdefault(row["old_commune"] or "", []).append(row)
    if (
        "" not in by_commune
        and 1 < len(by_commune) <= HAMLET_CHOICES
        and all(len(group) <= HAMLET_CHOICES for group in by_commune.values())
    ):
        return list(by_commune.items())
    count = math.ceil(len(rows) / HAMLET_CHOICES)
    size = math.ceil(len(rows) / count)
    return [(None, rows[start : start + size]) for start in range(0, len(rows), size)]


def hamlet_entry(turn, purpose):
    """Ask for the caller's hamlet, or book without one when no hamlet is active."""
    menu = hamlet_menu(turn, purpose)
    if menu:
        return show(turn, menu)
    if purpose == "visit":
        return book(turn, None)
    return show(turn, main_menu(turn))


def pick_hamlet(turn, purpose, hamlet):
    """Act on the chosen hamlet: book the visit, or read the next trip there."""
    if purpose == "visit":
        return book(turn, hamlet["id"])
    return show(turn, schedule_menu(turn, hamlet))


def hamlet_menu(turn, purpose):
    """The hamlet choice: one list, or a list of groups when there are many hamlets."""
    purpose = purpose if purpose in PURPOSES else "schedule"
    rows = hamlets.active(turn.db)
    if not rows:
        return None
    groups = hamlet_groups(rows)
    if groups is None:
        return hamlet_list_menu(turn, purpose, rows, "voice.hamlets", {"for": purpose})

    def options(container):
        say(container, turn, "choose_hamlet")
        for key, (commune, group) in enumerate(groups, start=1):
            if len(group) == 1:
                say(container, turn, "hamlet_option", name=turn.name(group[0]["name"]), key=key)
            elif commune:
                say(container, turn, "hamlet_group_old_commune", name=turn.name(commune), key=key)
            else:
                first, last = turn.name(group[0]["name"]), turn.name(group[-1]["name"])
                say(container, turn, "hamlet_group_range", first=first, last=last, key=key)
        for key in SUB_MENU_ENDING:
            say(container, turn, key)

    menu = Menu("voice.hamlets", options, params={"for": purpose}, cache=("groups",))
    for key, (_commune, group) in enumerate(groups, start=1):
        if len(group) == 1:
            menu.keys[str(key)] = lambda hamlet=group[0]: pick_hamlet(turn, purpose, hamlet)
        else:
            menu.keys[str(key)] = lambda index=key: show(
                turn, hamlet_group_menu(turn, purpose, index) or menu
            )
    return with_common_keys(turn, menu)


def hamlet_group_menu(turn, purpose, index):
    """The hamlets of group INDEX (1-based), or None if there is no such group."""
    purpose = purpose if purpose in PURPOSES else "schedule"
    groups = hamlet_groups(hamlets.active(turn.db)) or []
    if not 1 <= index <= len(groups):
        return None
    params = {"group": index, "for": purpose}
    return hamlet_list_menu(turn, purpose, groups[index - 1][1], "voice.hamlet_group", params)


def hamlet_list_menu(turn, purpose, rows, endpoint, params):
    """One key per hamlet in ROWS."""

    def options(container):
        say(container, turn, "choose_hamlet")
        for key, hamlet in enumerate(rows, start=1):
            say(container, turn, "hamlet_option", name=turn.name(hamlet["name"]), key=key)
        for key in SUB_MENU_ENDING:
            say(container, turn, key)

    menu = Menu(endpoint, options, params=params, cache=("hamlets",))
    for key, hamlet in enumerate(rows, start=1):
        menu.keys[str(key)] = lambda hamlet=hamlet: pick_hamlet(turn, purpose, hamlet)
    return with_common_keys(turn, menu)


# The next team visit to a hamlet.


def schedule_entry(turn):
    """Key 3: read the next trip to the caller's hamlet, asking for it if unknown."""
    hamlet = known_hamlet(turn)
    if hamlet:
        return show(turn, schedule_menu(turn, hamlet))
    return hamlet_entry(turn, "schedule")


def schedule_menu(turn, hamlet):
    """The next trip to HAMLET (the same one an SMS names), with a key to ask for a visit.

    A visit is to the caller's home. A caller whose number is linked to another hamlet gets
    the offer for their own hamlet, named; a caller without one chose HAMLET as theirs.
    """

    def intro(container):
        trip = trips.next_trip_for(turn.db, hamlet["id"])
        if trip:
            say(container, turn, "schedule_next", **trip_words(turn, trip, hamlet))
        else:
            say(container, turn, "schedule_none", hamlet=turn.name(hamlet["name"]))

    home = known_hamlet(turn) or hamlet
    elsewhere = home["id"] != hamlet["id"]
    menu = reading_menu(
        turn,
        "voice.schedule",
        intro,
        {"hamlet_id": hamlet["id"]},
        offer="schedule_book_home" if elsewhere else "schedule_book",
        offer_values={"hamlet": turn.name(home["name"])} if elsewhere else None,
        closing=("hear_again", "back_to_start", "menu_message", "may_hang_up"),
    )
    if turn.phone:
        menu.keys[KEY_BOOK] = lambda: book(turn, home["id"])
    return with_common_keys(turn, menu)


def schedule_menu_for(turn, hamlet_id):
    """The schedule menu of an active hamlet, or None."""
    hamlet = hamlets.get(turn.db, hamlet_id)
    return schedule_menu(turn, hamlet) if hamlet and hamlet["active"] else None


# Voice message and endings.
