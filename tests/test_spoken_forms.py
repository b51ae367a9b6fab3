"""The catalogue keeps a spoken form of each procedure beside its written text."""

import pytest

from app import guidance, speech
from app.staff.catalogue import SPOKEN_SUMMARY_SECONDS
from db import connect, transaction
from db.seed import seed


def test_every_seeded_procedure_has_a_short_spoken_name_and_summary(db):
    for procedure in guidance.all_procedures(db):
        for language in ("vi", "en"):
            name = guidance.spoken_name(procedure, language)
            summary = guidance.spoken_summary(procedure, language)
            assert name and summary, procedure["code"]
            assert len(name.split()) <= 6, name
            assert speech.seconds(summary, language) <= SPOKEN_SUMMARY_SECONDS, summary
        spoken = procedure["spoken_name"] + " " + procedure["spoken_summary"]
        assert speech.misreadings(spoken) == []


@pytest.mark.parametrize(
    ("code", "written_field", "misread", "spoken"),
    [
        ("THUONGTRU", "documents", "CT01", "mẫu xê tê không một"),
        ("SAOY", "fee_note", "2.000", "hai nghìn đồng"),
        ("SAOY", "name", "(", "Sao y giấy tờ"),
        ("VNEID", "name", "VNeID", "Định danh điện tử"),
        ("VNEID", "sms_documents", "CH", "thẻ căn cước gắn chíp"),
    ],
)
def test_what_the_voice_would_misread_in_the_written_text_has_a_spoken_form(
    db, code, written_field, misread, spoken
):
    procedure = guidance.get(db, code)
    written = procedure[written_field]
    written = " ".join(written) if isinstance(written, list) else written
    assert misread in speech.misreadings(written)
    assert spoken in procedure["spoken_name"] + " " + procedure["spoken_summary"]


def test_the_seed_fills_missing_spoken_forms_and_keeps_an_admins_edit(app, db):
    with transaction(db):
        db["procedures"].update("KHAITU", {"spoken_summary": None, "spoken_name": None})
        db["procedures"].update("SANGTEN", {"spoken_name": "Làm sổ đỏ"})
    with app.app_context():
        database = connect(app.config["DATABASE_PATH"])
        seed(database)
        database.conn.close()
    assert guidance.get(db, "KHAITU")["spoken_name"] == "Khai tử"
    assert guidance.get(db, "KHAITU")["spoken_summary"].startswith("Người thân đăng ký")
    assert guidance.get(db, "SANGTEN")["spoken_name"] == "Làm sổ đỏ"


def test_an_admin_edits_the_spoken_form_and_sees_its_length_and_misreadings(admin_client, db):
    procedure = guidance.get(db, "THUONGTRU")
    form = {
        "name": procedure["name"],
        "spoken_name": "Đăng ký thường trú",
        "spoken_summary": "Mang tờ khai CT01 đến Công an xã.",
        "spoken_name_en": "Residence",
        "spoken_summary_en": "Bring form C T zero one.",
        "action": "preview",
    }
    page = admin_client.post("/catalogue/THUONGTRU", data=form).get_data(as_text=True)
    assert "Giọng đọc có thể đọc sai: CT01" in page
    assert "Khoảng 5 giây trên điện thoại" in page
    assert guidance.get(db, "THUONGTRU")["spoken_summary"] == procedure["spoken_summary"]
    admin_client.post("/catalogue/THUONGTRU", data={**form, "action": "save"})
    saved = guidance.get(db, "THUONGTRU")
    assert (saved["spoken_name"], saved["spoken_summary"], saved["spoken_name_en"]) == (
        "Đăng ký thường trú",
        "Mang tờ khai CT01 đến Công an xã.",
        "Residence",
    )


def test_a_catalogue_form_without_the_phone_fields_keeps_them(admin_client, db):
    before = guidance.get(db, "SAOY")
    admin_client.post(
        "/catalogue/SAOY", data={"name": before["name"], "sms_steps": "Mang.", "action": "save"}
    )
    after = guidance.get(db, "SAOY")
    assert after["spoken_summary"] == before["spoken_summary"]
    assert after["spoken_name"] == before["spoken_name"]
