import pytest

from app import phones


@pytest.mark.parametrize(
    "raw",
    [
        "0912345678",
        "+84912345678",
        "84912345678",
        "0084912345678",
        "912345678",
        "091.234.5678",
        "0 91 234 5678",
        "+84 (0) 912 345 678",
        "(+84)912345678",
        "+840912345678",
    ],
)
def test_common_vietnamese_forms_normalise_to_e164(raw):
    assert phones.normalise(raw) == "+84912345678"


@pytest.mark.parametrize(
    ("raw", "e164"),
    [
        ("01671234567", "+84371234567"),  # Viettel 0167 -> 037
        ("+841691234567", "+84391234567"),  # Viettel 0169 -> 039
        ("0123 456 7890", "+84834567890"),  # VinaPhone 0123 -> 083
        ("0121.234.5678", "+84792345678"),  # MobiFone 0121 -> 079
        ("01992345678", "+84592345678"),  # Gmobile 0199 -> 059
    ],
)
def test_old_eleven_digit_mobiles_are_converted(raw, e164):
    assert phones.normalise(raw) == e164
    assert phones.is_mobile(e164)


def test_an_giang_landline_is_valid_but_not_mobile():
    e164 = phones.normalise("0296 3 123 456")
    assert e164 == "+842963123456"
    assert not phones.is_mobile(e164)


@pytest.mark.parametrize("raw", ["", None, "abc", "123", "sdt 0912.345.678 nha", "9" * 40])
def test_non_numbers_give_a_clear_error(raw):
    with pytest.raises(phones.InvalidPhone):
        phones.normalise(raw)


def test_a_number_inside_free_text_can_be_found():
    assert phones.find_in_text("sdt 0912.345.678 nha") == "+84912345678"
    assert phones.find_in_text("khong co so") is None


def test_display_uses_the_national_format():
    assert phones.display("+84912345678") == "0912 345 678"
