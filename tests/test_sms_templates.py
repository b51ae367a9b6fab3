"""Every SMS the catalogue can produce, filled with worst-case values, fits one GSM-7 segment."""

import datetime as dt
import re
import string

import pytest

from app.catalogue import catalog, guidance, hamlets
from app.language.days import sms_day, sms_time
from app.language.texts import fits_one_sms
from sms import menus, replies

WORST_REF = "KMWXY"  # any five characters: GSM-7 letters all count one
WORST_TIME = sms_time(dt.datetime(2026, 12, 1, 10, 30))
LINK = re.compile(r"https?://|\bwww\.|\b\w+\.(?:vn|com|net|org)\b", re.IGNORECASE)


def _fields(key):
    return {
        name
        for template in catalog.MESSAGES[key].values()
        for _text, name, _spec, _conv in string.Formatter().parse(template)
        if name
    }


def _longest_day(language):
    days = [dt.date(2026, 1, 1) + dt.timedelta(days=n) for n in range(366)]
    return max((sms_day(day, language) for day in days), key=len)


def _worst_values(db, language):
    longest_hamlet = max((row["name"] for row in hamlets.active(db)), key=len)
    status_item = catalog.text(
        "sms_status_visit_day", language, ref=WORST_REF, day=_longest_day(language)
    )
    return {
        "ref": WORST_REF,
        "hamlet": longest_hamlet,
        "day": _longest_day(language),
        "time": WORST_TIME,
        # A dated schedule question names a day or a week ("28/12-03/01").
        "asked": max(_longest_day(language), "28/12-03/01", key=len),
        "office": "0296 3 123 456",  # an An Giang landline, as admins enter it
        "items": "; ".join([status_item] * 3),
        "menu": replies.menu_line([(n, "Phu Thuan A") for n in range(1, 8)]),
        "hints": ", ".join(sorted(_hints(language), key=len)[-2:]),
    }


def _hints(language):
    """The keyword hints a handover can suggest, in LANGUAGE."""
    return [catalog.text(key, language) for key in catalog.MESSAGES if key.startswith("sms_hint_")]


def _check(body):
    assert body.startswith(catalog.commune_name() + ": ")
    assert fits_one_sms(body), (len(body), body)
    assert not LINK.search(body)


@pytest.mark.parametrize("language", ["vi", "en"])
@pytest.mark.parametrize("key", sorted(catalog.MESSAGES))
def test_every_catalogue_template_fits_one_segment_with_worst_case_values(db, key, language):
    values = _worst_values(db, language)
    body = catalog.sms(key, language, **{name: values[name] for name in _fields(key)})
    _check(body)


@pytest.mark.parametrize("language", ["vi", "en"])
def test_every_template_has_both_languages(language):
    for key, entry in catalog.MESSAGES.items():
        assert entry.get(language), key


@pytest.mark.parametrize("language", ["vi", "en"])
def test_guidance_steps_and_documents_fit_one_segment_each(db, language):
    for procedure in guidance.all_procedures(db):
        _check(guidance.sms_steps(procedure, language))
        _check(guidance.sms_documents(procedure, language))


@pytest.mark.parametrize("language", ["vi", "en"])
@pytest.mark.parametrize("menu", sorted(menus.MENU_KEYS))
def test_real_menus_fit_and_long_menus_split_into_pages(db, language, menu):
    key = menus.MENU_KEYS[menu]
    real = menus.hamlet_items(db) if "hamlet" in menu else menus.procedure_items(db)
    for page in replies.menu_pages(key, language, [(n, label) for n, label, _v in real]):
        _check(page)
    # Staff may add many hamlets with long names: every page must still fit.
    many = [(n, f"Ap Moi Rat Dai So {n}") for n in range(1, 41)]
    pages = replies.menu_pages(key, language, many)
    assert len(pages) > 1
    for page in pages:
        _check(page)
        assert page.endswith("0=" + ("them" if language == "vi" else "more"))
    numbers = [int(item.split("=")[0]) for page in pages for item in page.split() if "=" in item]
    assert [n for n in numbers if n] == list(range(1, 41))


def test_status_reply_drops_items_until_it_fits(text_in, db):
    phone = "+84912000555"
    text_in("HEN Phu Thuan A", phone=phone)
    for number in range(5):
        text_in(f"HOI cau hoi so {number}", phone=phone)
    [reply] = text_in("XEM", phone=phone)
    _check(reply)
    assert reply.count(";") >= 1
