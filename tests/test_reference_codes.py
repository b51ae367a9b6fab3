"""Reference codes are five digits (DESIGN.md principle 11); old letter codes keep working."""

import re

import pytest

from app import lifecycle, residents
from app.request_queue import service_requests
from app.request_queue.asked import Asked
from db import transaction

OLD_CODE = "K4C7A"


def _visit(db, phone="0912345678", hamlet_id=1):
    with transaction(db):
        request, _created = service_requests.open_request(
            db, Asked(phone=phone, kind=lifecycle.VISIT, channel="sms", hamlet_id=hamlet_id)
        )
    return request


def _old_request(db, phone="0912345678", ref=OLD_CODE):
    """A visit filed before digit codes, with a letter code."""
    request = _visit(db, phone=phone)
    with transaction(db):
        db.conn.execute("UPDATE requests SET ref = ? WHERE id = ?", [ref, request["id"]])
    return lifecycle.get(db, request["id"])


def test_new_requests_get_five_digit_codes_without_a_leading_zero(app, db):
    with app.app_context():
        refs = [_visit(db, phone=f"09120000{n:02d}")["ref"] for n in range(30)]
    assert all(re.fullmatch(r"[1-9]\d{4}", ref) for ref in refs)
    assert len(set(refs)) == len(refs)


def test_a_new_code_is_never_one_already_used(app, db, monkeypatch):
    with app.app_context():
        taken = _visit(db)["ref"]
        draws = iter(
            [int(taken) - service_requests.REF_FIRST, int(taken) - service_requests.REF_FIRST, 4]
        )
        monkeypatch.setattr(service_requests.secrets, "randbelow", lambda _n: next(draws))
        # The same code is drawn twice: the unique index refuses it, and the third draw is used.
        assert _visit(db, phone="0912345699")["ref"] == str(service_requests.REF_FIRST + 4)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("12345", True), ("k4c7a", True), ("01234", False), ("1234", False), ("HELLO", False)],
)
def test_both_kinds_of_code_are_recognised(text, expected):
    assert service_requests.is_ref(text) is expected


def test_huy_with_a_digit_code_cancels_the_senders_own_request(app, db, text_in):
    phone = "+84912000111"
    with app.app_context():
        request = _visit(db, phone=phone)
    (reply,) = text_in(f"HUY {request['ref']}", phone=phone)
    assert request["ref"] in reply
    assert lifecycle.get(db, request["id"])["status"] == "cancelled"


def test_huy_with_an_old_letter_code_still_works(app, db, text_in):
    phone = "+84912000111"
    with app.app_context():
        request = _old_request(db, phone=phone)
    text_in(f"huy {OLD_CODE.lower()}", phone=phone)
    assert lifecycle.get(db, request["id"])["status"] == "cancelled"


def test_huy_with_someone_elses_code_gets_the_unknown_code_answer(app, db, text_in):
    with app.app_context():
        theirs = _visit(db, phone="+84912000222")
    (reply_theirs,) = text_in(f"HUY {theirs['ref']}", phone="+84912000111")
    (reply_unknown,) = text_in("HUY 99998", phone="+84912000333")
    assert reply_theirs.replace(theirs["ref"], "#") == reply_unknown.replace("99998", "#")
    assert lifecycle.get(db, theirs["id"])["status"] == "scheduled"


def test_open311_finds_requests_by_digit_and_letter_codes(app, db, client):
    with app.app_context():
        new = _visit(db, phone="0912000444")
        old = _old_request(db, phone="0912000555")
    for ref in (new["ref"], old["ref"], old["ref"].lower()):
        (item,) = client.get(f"/open311/v2/requests/{ref}.json").get_json()
        assert item["service_request_id"] in (new["ref"], old["ref"])


def test_staff_search_finds_requests_by_digit_and_letter_codes(app, db, staff_client):
    with app.app_context():
        new = _visit(db, phone="0912000444")
        old = _old_request(db, phone="0912000555")
    for ref, other in ((new["ref"], old["ref"]), (old["ref"].lower(), new["ref"])):
        page = staff_client.get("/?q=" + ref).get_data(as_text=True)
        listing = page[page.index('id="list-h"') :]
        assert ref.upper() in listing and other not in listing


def test_a_request_left_by_voice_gets_a_digit_code(app, db):
    with app.app_context(), transaction(db):
        resident = residents.find_or_create(db, "0912000666")
        request, _created = service_requests.open_request(
            db, Asked(phone=resident["phone"], kind=lifecycle.QUESTION, channel="voice")
        )
    assert re.fullmatch(r"[1-9]\d{4}", request["ref"])
