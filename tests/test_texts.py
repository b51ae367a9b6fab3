import datetime as dt
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.language import days, texts


@pytest.mark.parametrize(
    ("raw", "folded"),
    [
        ("Đăng ký khai sinh", "DANG KY KHAI SINH"),
        ("  khai   sinh!!", "KHAI SINH"),
        ("Hủy", "HUY"),
        ("Huỷ", "HUY"),
        ("Vn-eID", "VN EID"),
        ("tiền già", "TIEN GIA"),
        ("Phú Hòa A", "PHU HOA A"),
        ("Phú Hoà A", "PHU HOA A"),
        ("thẻ căn cước", "THE CAN CUOC"),
        ("Ấp Long Hòa 1, ạ", "AP LONG HOA 1 A"),
        ("ĐỒNG ĐƯỜNG Ữ", "DONG DUONG U"),
        ("", ""),
    ],
)
def test_fold_removes_diacritics_case_and_punctuation(raw, folded):
    assert texts.fold(raw) == folded


def test_fold_treats_decomposed_and_composed_input_alike():
    composed = "Hòa Thủy đường"
    decomposed = "Ho\u0300a Thu\u0309y \u0111u\u031bo\u031bng"
    assert texts.fold(decomposed) == texts.fold(composed) == "HOA THUY DUONG"


def test_compact_joins_split_codes():
    assert texts.compact("Vn eid") == "VNEID"
    assert texts.compact("làm căn cước") == "LAMCANCUOC"


def test_every_vietnamese_letter_folds_to_ascii():
    letters = "aàáảãạăằắẳẵặâầấẩẫậeèéẻẽẹêềếểễệiìíỉĩịoòóỏõọôồốổỗộơờớởỡợuùúủũụưừứửữựyỳýỷỹỵđ"
    stripped = texts.strip_diacritics(letters + letters.upper())
    assert stripped.isascii()
    assert set(stripped.lower()) == set("aeiouyd")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Xa Phu Lam: hen gap", True),
        ("Hoà", True),  # à is in the GSM basic table
        ("Hòa", True),  # so is ò, whatever some guides say
        ("Hóa", False),
        ("Thủy", False),
        ("gia 500.000d [x]", True),  # extension characters are still GSM-7
        ("emoji 🙂", False),
    ],
)
def test_is_gsm7(text, expected):
    assert texts.is_gsm7(text) is expected


def test_sms_text_round_trips_as_gsm7_and_keeps_meaning():
    source = "Đăng ký khai sinh trong 60 ngày – mang “giấy chứng sinh”… 🙂"
    rendered = texts.sms_text(source)
    assert texts.is_gsm7(rendered)
    assert rendered == 'Dang ky khai sinh trong 60 ngay - mang "giay chung sinh"...'
    # Rendering again changes nothing: the output is a fixed point.
    assert texts.sms_text(rendered) == rendered


@pytest.mark.parametrize(
    ("length", "count"),
    [(0, 0), (1, 1), (160, 1), (161, 2), (306, 2), (307, 3), (459, 3), (460, 4)],
)
def test_gsm7_segment_boundaries(length, count):
    info = texts.segments("a" * length)
    assert (info.encoding, info.count) == ("GSM-7", count)


@pytest.mark.parametrize(
    ("length", "count"), [(70, 1), (71, 2), (134, 2), (135, 3), (201, 3), (202, 4)]
)
def test_ucs2_segment_boundaries(length, count):
    info = texts.segments("ư" * length)
    assert (info.encoding, info.count) == ("UCS-2", count)


def test_extension_characters_cost_two_septets():
    info = texts.segments("{" * 80)
    assert (info.units, info.count) == (160, 1)
    assert texts.segments("{" * 81).count == 2


def test_one_accented_letter_switches_the_whole_message_to_ucs2():
    body = "a" * 69 + "ơ"
    assert texts.segments(body).encoding == "UCS-2"
    assert texts.segments(body).count == 1
    assert texts.segments(texts.sms_text(body + "a" * 90)).count == 1


def test_dates_use_numbered_weekdays_in_sms_and_words_in_speech():
    tuesday = dt.date(2026, 12, 1)
    assert days.sms_day(tuesday) == "Thu 3 01/12"
    assert days.sms_day(tuesday, "en") == "Tue 01/12"
    assert days.spoken_day(tuesday) == "thứ Ba, ngày 1 tháng 12"
    assert days.spoken_day(dt.date(2026, 12, 6)) == "Chủ nhật, ngày 6 tháng 12"
    assert days.sms_time(dt.time(7, 30)) == "7h30"
    assert days.sms_time(dt.time(14, 0)) == "14h"


def _strip_the_slow_way(text):
    """Decompose the whole text and drop every nonspacing mark (the reference)."""
    text = unicodedata.normalize("NFC", text).replace("đ", "d").replace("Đ", "D")
    kept = "".join(
        ch for ch in unicodedata.normalize("NFD", text) if unicodedata.category(ch) != "Mn"
    )
    return unicodedata.normalize("NFC", kept)


@given(st.text(alphabet=st.characters(codec="utf-8")) | st.sampled_from(["Xã Phú Lâm", "đường Đ"]))
def test_stripping_marks_a_character_at_a_time_matches_decomposing_the_whole_text(text):
    assert texts.strip_diacritics(text) == _strip_the_slow_way(text)


@given(st.text())
def test_the_gsm7_check_and_filter_agree_with_the_two_tables(text):
    in_tables = [ch for ch in text if ch in texts.GSM7_BASIC or ch in texts.GSM7_EXTENSION]
    assert texts.is_gsm7(text) == (len(in_tables) == len(text))
    assert texts.is_gsm7(texts.sms_text(text))
