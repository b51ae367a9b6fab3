"""Numbered SMS menus: the hamlet and procedure lists, one page at a time, kept per phone."""

from app.catalogue import guidance, hamlets
from sms import replies, state
from sms.replies import Answer

MENU_VISIT_HAMLET, MENU_SCHEDULE_HAMLET, MENU_GUIDE = "visit_hamlet", "schedule_hamlet", "guide"
MENU_KEYS = {
    MENU_VISIT_HAMLET: "sms_ask_hamlet",
    MENU_SCHEDULE_HAMLET: "sms_ask_hamlet_schedule",
    MENU_GUIDE: "sms_guide_menu",
}


def hamlet_items(db, old_commune=None):
    """Menu items for the active hamlets: (number, name, hamlet id).

    OLD_COMMUNE (a former commune the resident named) keeps only its hamlets, when any.
    """
    rows = hamlets.active(db)
    narrowed = [row for row in rows if old_commune and row["old_commune"] == old_commune]
    return [(n, row["name"], row["id"]) for n, row in enumerate(narrowed or rows, start=1)]


def procedure_items(db, language="vi"):
    """Menu items for the active procedures: plain short names, not internal codes."""
    return [
        (row["menu_number"], guidance.spoken_name(row, language), row["code"])
        for row in guidance.all_procedures(db)
    ]


def show_menu(db, phone, menu, items, language, page=0, **extra):
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
