"""A corpus of realistic resident messages: each gets its intent and a well-formed reply."""

import re
from pathlib import Path

import pytest

from app import residents
from app.language.texts import is_gsm7

CORPUS = Path(__file__).parent / "data" / "sms_corpus.tsv"
LINK = re.compile(r"https?:|www\.|\.(?:vn|com|net|org)\b", re.IGNORECASE)
REPLY_COUNTS = {"guidance": 2, "rate_limited": 0}
EMERGENCY = re.compile(r"\b(?:benh nang|cap cuu|te nga)\b")


def _load():
    cases = []
    for number, line in enumerate(CORPUS.read_text(encoding="utf-8").splitlines(), start=1):
        if not line or line.startswith("#"):
            continue
        intent, setup, body = line.split("\t", 2)
        if body.startswith("REPEAT1000:"):
            unit = body.removeprefix("REPEAT1000:")
            body = (unit * (1000 // len(unit) + 1))[:1000]
        cases.append(pytest.param(intent, setup, body, id=f"line{number}-{intent}"))
    return cases


CASES = _load()


def test_the_corpus_is_large_and_varied():
    assert len(CASES) >= 100
    bodies = [case.values[2] for case in CASES]
    assert any(len(body) == 1000 for body in bodies)
    assert any(not body.strip() for body in bodies)
    assert any(not body.isascii() for body in bodies)


@pytest.mark.parametrize(("intent", "setup", "body"), CASES)
def test_corpus_message_gets_its_intent_and_a_valid_reply(text_in, db, intent, setup, body):
    phone = "+84912000777"
    if setup.startswith("hamlet:"):
        hamlet = next(iter(db["hamlets"].rows_where("code = ?", [setup.removeprefix("hamlet:")])))
        resident = residents.find_or_create(db, phone)
        residents.update(db, resident["id"], hamlet_id=hamlet["id"])
    elif setup.startswith("after:"):
        assert text_in(setup.removeprefix("after:"), phone=phone)

    replies = text_in(body, phone=phone)

    inbound = list(db["messages"].rows_where("direction = 'in'", order_by="id"))[-1]
    assert inbound["body"] == body
    assert inbound["intent"] == intent
    expected = REPLY_COUNTS.get(intent, 1)
    if EMERGENCY.search(body):
        # An emergency gets one SMS: the emergency numbers and that staff will call back.
        assert "115" in replies[0] and "114" in replies[0] and "113" in replies[0]
        expected = 1
    assert len(replies) == expected
    for reply in replies:
        assert reply.startswith("Xa Phu Lam: ")
        assert is_gsm7(reply) and len(reply) <= 160
        assert not LINK.search(reply)
    if intent == "thanks":
        # A thank-you asks for nothing: no staff item, no prompt.
        assert list(db["requests"].rows) == [] and "Cam on" in replies[0]
    if intent == "unknown":
        question = list(db["requests"].rows_where("kind = 'question'", order_by="id"))[-1]
        assert question["description"] == body.strip()
