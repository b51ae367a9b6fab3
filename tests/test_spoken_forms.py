"""The catalogue keeps a spoken form of each procedure beside its written text."""

import pytest

from app.catalogue import guidance
from app.language import speech
from app.seed.loader import seed
from db import connect, transaction
from staff.catalogue import SPOKEN_SUMMARY_SECONDS


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


def edit_form(procedure, **changes):
    """The procedure's edit form as an admin sends it, with CHANGES."""
    form = {field: procedure.get(field) or "" for field in guidance.SPOKEN_FIELDS}
    return {"name": procedure["name"], "active": "1", "action": "save", **form, **changes}


LONG_SUMMARY = (
    "Làm tại Ủy ban nhân dân xã, vào giờ hành chính, từ thứ Hai đến thứ Sáu. "
    "Mang thẻ căn cước, sổ hộ khẩu cũ nếu còn, giấy tờ nhà đất, và giấy tờ của người thân. "
    "Cán bộ xã sẽ xem giấy tờ, hướng dẫn ông bà điền tờ khai, rồi hẹn ngày trả kết quả."
)


def test_a_spoken_summary_that_makes_the_phone_answer_too_long_is_not_saved(admin_client, db):
    before = guidance.get(db, "KETHON")
    response = admin_client.post(
        "/catalogue/KETHON", data=edit_form(before, spoken_summary=LONG_SUMMARY)
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Chưa lưu." in page
    assert "câu trả lời về KETHON" in page
    assert "hơn 40 giây" in page
    assert guidance.get(db, "KETHON")["spoken_summary"] == before["spoken_summary"]
    assert db["procedures"].get("KETHON")["spoken_summary"] == before["spoken_summary"]


def test_short_names_too_long_for_their_group_menu_are_not_saved(admin_client, db):
    before = guidance.get(db, "KETHON")
    long_name = (
        "Đăng ký kết hôn, khi hai người cùng đến Ủy ban nhân dân xã nơi một người cư trú, "
        "mang theo căn cước của cả hai người và giấy xác nhận tình trạng hôn nhân"
    )
    response = admin_client.post("/catalogue/KETHON", data=edit_form(before, spoken_name=long_name))
    assert response.status_code == 400
    assert "danh sách thủ tục có KETHON" in response.get_data(as_text=True)
    assert guidance.get(db, "KETHON")["spoken_name"] == before["spoken_name"]


def test_a_preview_of_a_too_long_spoken_summary_warns_without_saving(admin_client, db):
    before = guidance.get(db, "KETHON")
    form = edit_form(before, spoken_summary_en=" ".join([before["spoken_summary_en"]] * 4))
    response = admin_client.post("/catalogue/KETHON", data={**form, "action": "preview"})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "câu trả lời về KETHON bằng tiếng Anh" in page
    assert "Chưa lưu." not in page
    assert guidance.get(db, "KETHON")["spoken_summary_en"] == before["spoken_summary_en"]


def test_a_spoken_summary_that_still_fits_is_saved(admin_client, db):
    before = guidance.get(db, "KETHON")
    summary = "Hai người cùng đến Ủy ban nhân dân xã. Mang căn cước của cả hai. Miễn lệ phí."
    response = admin_client.post(
        "/catalogue/KETHON", data=edit_form(before, spoken_summary=summary)
    )
    assert response.status_code == 302
    assert guidance.get(db, "KETHON")["spoken_summary"] == summary


def test_the_console_gets_the_phone_answer_check_from_the_app_the_voice_channel_joined(app):
    # Registered on the app with the voice blueprint, not in a list filled by importing voice/.
    from voice import lengths

    assert app.extensions["answer_length_checks"] == [lengths.too_long]
