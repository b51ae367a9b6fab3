"""The province's procedure catalogue with one commune's overrides, cached per commune."""

import pytest

from app import communes
from app.catalogue import guidance
from app.seed.demo_commune import DEMO_TWILIO_NUMBER, ensure_demo_commune
from app.seed.loader import seed


@pytest.fixture
def second(db):
    """The demo's second commune, seeded."""
    with db.conn:
        commune = ensure_demo_commune(db)
    seed(db, commune=commune)
    return commune


def _documents_sms(text_in_to, to):
    """The documents SMS of the answer to "HD can cuoc" sent to number TO."""
    return text_in_to("HD can cuoc", to)[-1]


@pytest.fixture
def text_in_to(text_in):
    """Text BODY to the number TO; return the reply texts."""

    def send(body, to):
        return text_in(body, to=to)

    return send


def test_a_communes_override_reaches_its_residents_only(db, second, text_in_to):
    first = communes.first_commune(db)
    before = _documents_sms(text_in_to, "+84000000000")
    with db.conn:
        guidance.save_override(
            db, second, "CANCUOC", {"sms_documents": "Mang theo giấy khai sinh bản chính."}
        )
    assert _documents_sms(text_in_to, DEMO_TWILIO_NUMBER) == (
        "Xa Phu Thanh: Mang theo giay khai sinh ban chinh."
    )
    # The first commune's cached catalogue never serves the other's text.
    assert _documents_sms(text_in_to, "+84000000000") == before
    with communes.bound(first):
        assert "khai sinh bản chính" not in (guidance.get(db, "CANCUOC")["sms_documents"] or "")
    assert "khai sinh bản chính" not in guidance.province_procedure(db, "CANCUOC")["sms_documents"]


def test_a_field_equal_to_the_province_text_follows_later_province_edits(db, second):
    province = guidance.province_procedure(db, "CANCUOC")
    with db.conn:
        guidance.save_override(db, second, "CANCUOC", {"fee_note": province["fee_note"]})
        guidance.save(db, {**province, "fee_note": "Miễn phí lần đầu."})
    with communes.bound(second):
        assert guidance.get(db, "CANCUOC")["fee_note"] == "Miễn phí lần đầu."
