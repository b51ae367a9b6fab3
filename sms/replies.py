"""Reply building: numbered menus that fit one SMS, and the anti-scam line where it fits."""

from dataclasses import dataclass, field

from app.catalogue import catalog
from app.language.texts import fits_one_sms, sms_text


@dataclass
class Answer:
    """The dialogue's decision about one inbound SMS, before it is stored."""

    intent: str
    replies: list = field(default_factory=list)
    request: dict | None = None


def menu_line(items):
    """Render menu items [(number, label), ...] as "1=Phu Hoa A 2=Phu Hoa B"."""
    return " ".join(f"{number}={sms_text(label)}" for number, label in items)


def _menu_body(key, language, items, more):
    """Render one menu page; MORE adds the "0=more" choice."""
    line = menu_line(items)
    if more:
        line = f"{line} {catalog.text('sms_menu_more', language)}"
    return catalog.sms(key, language, menu=line)


def menu_pages(key, language, items):
    """Split a numbered menu into pages that each fit one SMS segment.

    Staff can add hamlets and procedures, so a menu that outgrows 160 characters goes on
    over several pages, with 0 showing the next one.
    """
    whole = _menu_body(key, language, items, more=False)
    if fits_one_sms(whole):
        return [whole]
    pages, current = [], []
    for item in items:
        if current and not fits_one_sms(_menu_body(key, language, [*current, item], True)):
            pages.append(current)
            current = []
        current.append(item)
    pages.append(current)
    return [_menu_body(key, language, page, more=True) for page in pages]


def with_no_otp(body, language):
    """Append the "staff never ask for an OTP" line when the SMS still fits one segment."""
    line = sms_text(catalog.text("no_otp", language))
    if "OTP" in body:
        return body
    longer = f"{body} {line}"
    return longer if fits_one_sms(longer) else body
