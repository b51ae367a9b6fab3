"""Words an elderly reader understands (issue 19, §5): no misleading unaccented words."""

import re

import pytest

from app.catalogue import catalog, guidance
from app.language.texts import fits_one_sms, sms_text
from app.request_queue import service_requests
from app.seed.loader import seed
from app.seed.procedures import PROCEDURES, SUPERSEDED
from db import transaction

SMS_FIELDS = ("sms_steps", "sms_documents", "sms_steps_en", "sms_documents_en")
VI_KEYWORDS = re.compile(r"\b(HEN|HUY|LICH|XEM|HOI|TUCHOI|BATDAU)\b")


def _all_sms_texts():
    for key, entry in catalog.MESSAGES.items():
        for language, text in entry.items():
            yield f"{key}.{language}", sms_text(text)
    for procedure in PROCEDURES:
        for field in SMS_FIELDS:
            yield f"{procedure['code']}.{field}", sms_text(procedure[field])


@pytest.mark.parametrize(
    ("misleading", "pattern"),
    [
        ("tiền giả (counterfeit money)", r"(?i)\btien gia\b"),
        ("tin nhạc (a music service)", r"(?i)\btin nhac\b(?! lich)"),
        ("ký số (digital signature)", r"(?i)\bky so\b"),
        ("sơ đồ (a diagram)", r"(?i)(?<!\()\bso do\b"),
        ("nhắn or nhận?", r"\b[Nn]han (?:[Ss]o\b|[A-Z]{2,}\b)"),
    ],
)
def test_no_sms_uses_a_word_that_reads_as_something_else(misleading, pattern):
    found = [name for name, text in _all_sms_texts() if re.search(pattern, text)]
    assert found == [], misleading


def test_english_texts_say_visit_where_the_vietnamese_ones_say_hen():
    for key, entry in catalog.MESSAGES.items():
        assert not VI_KEYWORDS.search(entry["en"]), key


def _sms(code, field="sms_steps"):
    procedure = next(p for p in PROCEDURES if p["code"] == code)
    return sms_text(procedure[field]).lower()


def test_the_procedure_facts_are_right():
    assert "to khai dang ky ket hon" in _sms("KETHON", "sms_documents")
    assert "ky vao so ho tich" in _sms("KETHON")
    assert "ong ba" in _sms("KHAISINH", "sms_documents")
    assert "grandparent" in _sms("KHAISINH", "sms_documents_en")
    assert "mai tang phi neu nguoi mat duoc huong" in _sms("KHAITU")
    assert "ngay lam viec sau" in _sms("SAOY")
    assert "long hoa, phu long cu giu tai ubnd xa phu lam" in _sms("TRICHLUC")
    assert "sap nhap xa khong phai doi the" in _sms("CANCUOC")
    assert "giay chung nhan dat (so do)" in _sms("SANGTEN", "sms_documents")
    assert "tro cap nguoi cao tuoi" in _sms("HUUTRI")
    assert "tro cap nguoi cao tuoi" in _sms("BHYT")


def test_every_procedure_sms_still_fits_one_gsm7_segment(in_first_commune):
    for procedure in PROCEDURES:
        for field in SMS_FIELDS:
            assert fits_one_sms(catalog.sms_body(procedure[field])), (procedure["code"], field)


def test_the_guide_menu_shows_plain_names_not_codes(text_in):
    (first,) = text_in("HD")
    (second,) = text_in("0")  # the next page
    assert "3=Khai sinh" in first and "9=Sang ten dat" in second
    assert "KHAISINH" not in first and "SANGTEN" not in second


def test_the_confirmation_separates_the_hamlet_and_the_day(app, db, text_in):
    (reply,) = text_in("HEN Long Hoa 1")
    assert re.search(r"den ap Long Hoa 1 vao (?:Thu \d|CN) \d\d/\d\d", reply), reply


def test_the_seed_corrects_old_texts_but_keeps_staff_edits(app, db):
    with app.app_context(), transaction(db):
        db.conn.execute(
            "UPDATE procedures SET sms_steps = ? WHERE code = 'HUUTRI'",
            [SUPERSEDED["HUUTRI"]["sms_steps"]],
        )
        db.conn.execute(
            "UPDATE procedures SET sms_steps = 'Do cán bộ xã viết.' WHERE code = 'SAOY'"
        )
    with app.app_context():
        seed(db)
        assert "Trợ cấp người cao tuổi" in guidance.get(db, "HUUTRI")["sms_steps"]
        assert guidance.get(db, "SAOY")["sms_steps"] == "Do cán bộ xã viết."


def test_a_visit_confirmation_names_the_request_by_its_digit_code(app, db, text_in):
    (reply,) = text_in("HEN Tan Phu")
    ref = re.search(r"ma (\d{5})", reply).group(1)
    assert service_requests.by_ref(db, ref)["kind"] == "visit"
