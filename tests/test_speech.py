"""How long a prompt takes to say, what a vi-VN voice misreads, and how codes are read."""

import pytest

from app.language import speech
from voice.prompts import digit_groups, ref_number_pieces, spoken_ref


@pytest.mark.parametrize(
    ("text", "language", "count"),
    [
        ("Để nghe lại, bấm phím 9.", "vi", 6),
        ("ngày 8 tháng 12", "vi", 6),  # 8 -> 1, 12 -> at most 3 ("mười hai")
        ("năm 2025", "vi", 8),  # "hai nghìn không trăm hai mươi lăm" is 7
        ("mã OTP", "vi", 4),  # ô tê pê
        ("mẫu CT01", "vi", 5),  # xê tê không một
        ("Ấp Long Hòa 1", "vi", 4),
        ("UBND", "vi", 5),  # u bê en nờ dê
        ("For English, press 8.", "en", 5),
        ("Please choose a procedure.", "en", 6),
        ("To leave a voice message for staff, press 0.", "en", 10),
    ],
)
def test_syllables_are_counted_as_the_voice_says_them(text, language, count):
    assert speech.syllables(text, language) == count


def test_seconds_are_syllables_at_the_pace_plus_the_pauses():
    # 6 syllables at 2.5 a second, one comma and one full stop.
    assert speech.seconds("Để nghe lại, bấm phím 9.") == pytest.approx(6 / 2.5 + 0.25 + 0.5)
    # A piece without a full stop still ends with a sentence pause.
    assert speech.seconds("bấm phím 9") == pytest.approx(3 / 2.5 + 0.5)
    assert speech.seconds("") == 0


@pytest.mark.parametrize(
    ("text", "pieces"),
    [
        ("Tờ khai mẫu CT01.", ["CT01"]),
        ("Lệ phí 2.000 đồng một trang.", ["2.000"]),
        ("Tải VNeID từ CH Play.", ["VNeID", "CH", "Play"]),
        ("Bản chính (không rách).", ["(", ")"]),
        ("Cán bộ không hỏi mã OTP.", ["OTP"]),
        ("Nhận lúc 15h, ngày 1/1/2025.", ["15h", "/", "/"]),
        ("giấy tờ ở UBND xã", ["UBND"]),
    ],
)
def test_what_a_vietnamese_voice_misreads_is_found(text, pieces):
    assert speech.misreadings(text) == pieces


@pytest.mark.parametrize(
    "text",
    [
        "Tờ khai mẫu xê tê không một.",
        "Lệ phí hai nghìn đồng một trang.",
        "Cán bộ không hỏi mã ô tê pê.",
        "Ấp Phú Hòa B, bấm phím 2.",
        "Người thân đăng ký trong 15 ngày kể từ ngày mất.",
        "nghiêng quốc gì giờ khuya người",
    ],
)
def test_spoken_forms_and_plain_vietnamese_are_not_flagged(text):
    assert speech.misreadings(text) == []


@pytest.mark.parametrize(
    ("digits", "groups"),
    [
        ("12345", ["12", "345"]),
        ("1234", ["12", "34"]),
        ("123456", ["123", "456"]),
        ("1234567", ["12", "34", "567"]),
        ("123", ["123"]),
    ],
)
def test_digit_codes_are_read_in_groups_of_two_or_three(digits, groups):
    assert digit_groups(digits) == groups


def test_a_digit_code_is_read_in_groups_twice():
    assert ref_number_pieces("12345") == [
        ("vi", "Mã số của ông bà là: một hai, ba bốn năm. Xin nhắc lại: một hai, ba bốn năm.")
    ]
    assert ref_number_pieces("12345", "en") == [
        ("en", "Your reference number is: 1 2, 3 4 5. Once more: 1 2, 3 4 5.")
    ]


def test_an_old_letter_code_uses_vietnamese_letter_names_and_no_made_up_ones():
    assert spoken_ref("AC3K9") == [("vi", "a, xê, ba, ca, chín")]
    pieces = spoken_ref("FJW4A")
    assert pieces == [("en", "F, J, W"), ("vi", "bốn, a")]
    vietnamese = " ".join(text for language, text in pieces if language == "vi")
    for made_up in ("ép", "gi", "vê kép", "dét"):
        assert made_up not in vietnamese
