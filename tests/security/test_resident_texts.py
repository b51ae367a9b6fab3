"""Texts staff save for residents can never turn residents' SMS into a phishing channel."""

import pytest

from app import lifecycle
from app.catalogue import commune_settings, guidance
from app.request_queue import service_requests
from db import transaction
from tests.test_staff_pages import open_question

PHISHING = "Goi ngay 0999 999 999 va doc ma OTP"
UNSAFE = [
    (PHISHING, "mã OTP"),
    ("Vui lòng cung cấp mật khẩu VNeID để cán bộ kích hoạt giúp.", "mã OTP"),
    ("Không cần đến xã, chỉ cần đọc mã OTP cho cán bộ.", "mã OTP"),
    ("Đừng lo, hãy đọc mã xác nhận cho chúng tôi.", "mã OTP"),
    ("Please send us the verification code you received.", "mã OTP"),
    ("Xem hướng dẫn tại dichvucong-vn.top/kich-hoat", "đường link"),
    ("Xem thêm: https://bit.ly/3xyz", "đường link"),
    ("Gọi anh Tâm 0912 345 678 để được hỗ trợ.", "0912 345 678"),
    ("Hỗ trợ: 1900 1234", "1900 1234"),
    # Links with the dot spelled out, a password with a hyphen, a bank transfer.
    ("Xem them tai evil[.]com", "đường link"),
    ("Xem them tai evil (dot) com", "đường link"),
    ("Vao dichvucong-vn(.)top de kich hoat", "đường link"),
    ("Gui mat-khau VNeID cho can bo", "mã OTP"),
    ("Nhan mat_khau cho xa", "mã OTP"),
    ("Chuyen khoan vao STK 0123456789012", "chuyển khoản"),
    (
        "Lệ phí 50.000đ, chuyển khoản vào số tài khoản 0123456789 ngân hàng Agribank.",
        "chuyển khoản",
    ),
    ("Please transfer the fee to account number 0123456789012.", "chuyển khoản"),
]
# What the checks of the typed text miss but a resident still gets: SMS drops zero-width
# spaces and soft hyphens, and a voice reads fullwidth or one-dot-leader punctuation as a dot.
HIDDEN = [
    ("Vao dichvucong-vn\u200b.top de kich hoat", "đường link"),
    ("Xem them tai evil\u00ad.com", "đường link"),
    ("Xem them tai evil\uff0ecom", "đường link"),
    ("Xem them tai evil\u2024com", "đường link"),
    ("Gui mat\u200bkhau VNeID cho can bo", "mã OTP"),
]
SAFE = [
    "Không bao giờ đọc mã OTP, mật khẩu hay mã bảo vệ cho bất kỳ ai.",
    "Never give your OTP or password to anyone.",
    "Ông bà tự đặt mật khẩu trên điện thoại của mình.",
    "Mang căn cước và mã số BHXH. Phí 2.000đ/trang, tối đa 200.000đ.",
    "Gọi văn phòng xã 0296 3851 234 trong giờ hành chính.",
    "Nhắn HUY 48213 để hủy.",
    "Xã không bao giờ yêu cầu chuyển khoản; không chuyển tiền cho ai.",
    "Tiêm chủng đợt 2 (dot 2) vào thứ Ba. Lịch đợt in sổ: thứ Tư.",
    "Mang giấy tờ. Cơm trưa tự túc.",
]

# Each test reads and writes the first commune's texts directly, as its console would.
pytestmark = pytest.mark.usefixtures("in_first_commune")


@pytest.fixture
def office(store):
    with transaction(store):
        commune_settings.save(store, {"office_phone": "0296 3851 234"})


def procedure_form(procedure, **changes):
    form = {
        "name": procedure["name"],
        "summary": procedure["summary"] or "",
        "steps": "\n".join(procedure["steps"]),
        "documents": "\n".join(procedure["documents"]),
        "synonyms": ", ".join(procedure["synonyms"]),
        "sms_steps": procedure["sms_steps"],
        "sms_documents": procedure["sms_documents"],
        "active": "1",
        "action": "save",
    }
    return {**form, **changes}


def test_a_staff_account_cannot_rewrite_the_procedure_texts(staff_client, store):
    before = guidance.get(store, "VNEID")
    response = staff_client.post(
        "/catalogue/VNEID", data=procedure_form(before, sms_steps="Xa moi: doc ma OTP")
    )
    assert response.status_code == 403
    assert guidance.get(store, "VNEID") == before
    # Reading the catalogue and previewing an SMS stay open to every officer.
    assert staff_client.get("/catalogue/VNEID").status_code == 200
    preview = procedure_form(before, sms_steps="Mang ban chinh", action="preview")
    assert staff_client.post("/catalogue/VNEID", data=preview).status_code == 200


@pytest.mark.parametrize(("text", "named"), UNSAFE)
@pytest.mark.parametrize("field", ["sms_steps", "steps"])
def test_an_admin_cannot_save_a_procedure_text_that_phishes(
    admin_client, store, office, text, named, field
):
    before = guidance.get(store, "VNEID")
    response = admin_client.post("/catalogue/VNEID", data=procedure_form(before, **{field: text}))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Chưa lưu" in page and named in page
    assert guidance.get(store, "VNEID") == before


@pytest.mark.parametrize(("text", "named"), HIDDEN)
def test_a_link_or_secret_hidden_by_invisible_characters_is_still_refused(
    admin_client, staff_client, store, office, text, named
):
    before = guidance.get(store, "VNEID")
    response = admin_client.post("/catalogue/VNEID", data=procedure_form(before, sms_steps=text))
    assert response.status_code == 400
    assert named in response.get_data(as_text=True)
    assert guidance.get(store, "VNEID") == before
    question = open_question(store)
    response = staff_client.post(
        f"/requests/{question['id']}/answer", data={"answer": text, "action": "send"}
    )
    assert response.status_code == 400
    assert store["outbox"].count_where("request_id = ?", [question["id"]]) == 0


@pytest.mark.parametrize("text", SAFE)
def test_warnings_and_the_office_number_are_welcome(admin_client, store, office, text):
    before = guidance.get(store, "VNEID")
    response = admin_client.post("/catalogue/VNEID", data=procedure_form(before, sms_steps=text))
    assert response.status_code == 302
    assert guidance.get(store, "VNEID")["sms_steps"] == text


@pytest.mark.parametrize(("text", "named"), UNSAFE)
def test_an_answer_that_phishes_is_not_sent(staff_client, store, office, text, named):
    question = open_question(store)
    response = staff_client.post(
        f"/requests/{question['id']}/answer", data={"answer": text, "action": "send"}
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Chưa gửi" in page and named in page
    assert text in page  # the draft is kept for rewriting
    assert lifecycle.get(store, question["id"])["status"] == "open"
    assert store["outbox"].count_where("request_id = ?", [question["id"]]) == 0


def test_without_an_office_number_no_number_may_be_given(staff_client, store):
    question = open_question(store)
    page = staff_client.post(
        f"/requests/{question['id']}/answer",
        data={"answer": "Gọi văn phòng xã 0296 3851 234.", "action": "send"},
    ).get_data(as_text=True)
    assert "chưa được đặt" in page
    assert store["outbox"].count_where("request_id = ?", [question["id"]]) == 0


def test_the_rule_holds_below_the_web_page_too(store, office):
    question = open_question(store)
    with pytest.raises(ValueError), transaction(store):
        service_requests.answer_question(store, question["id"], PHISHING, actor="lan")
    procedure = {**guidance.get(store, "VNEID"), "sms_steps": PHISHING}
    with pytest.raises(ValueError), transaction(store):
        guidance.save(store, procedure)


def test_every_seeded_procedure_passes_the_rule(store):
    for procedure in guidance.all_procedures(store, include_inactive=True):
        guidance.check_texts(store, procedure)
