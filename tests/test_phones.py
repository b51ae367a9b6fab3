import pytest

from app.language import phones


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


@pytest.mark.parametrize(
    ("raw", "e164"),
    [
        ("+84912345678", "+84912345678"),
        ("sip:+84912345678@gw.example", "+84912345678"),
        ("sip:0912345678@10.0.0.5", "+84912345678"),
        ("sip:0912345678@10.0.0.5:5060;transport=udp", "+84912345678"),
        ("sips:84912345678@phulam.sip.twilio.com", "+84912345678"),
        ("sip:%2B84912345678@gw.example", "+84912345678"),
        ("sip:+84-91-234-5678;phone-context=+84@gw.example;user=phone", "+84912345678"),
        ("<sip:0912345678@gw.example>", "+84912345678"),
        ('"Ba Lan" <sip:0912345678@gw.example>;tag=a6c85cf', "+84912345678"),
        ("Ba Lan <sip:+84912345678@gw.example>", "+84912345678"),
        ("tel:+84-296-3123456", "+842963123456"),
        ("sip:01671234567@gw.example", "+84371234567"),
    ],
)
def test_a_caller_id_from_a_phone_or_a_sip_uri_gives_the_number(raw, e164):
    assert phones.from_caller_id(raw) == e164


@pytest.mark.parametrize(
    "raw",
    [
        None,
        "",
        "anonymous",
        "Restricted",
        "sip:anonymous@anonymous.invalid",
        '"Anonymous" <sip:anonymous@anonymous.invalid>;tag=1928301774',
        "sip:alice@gw.example",
        "sip:1001@10.0.0.5",
        "sip:@gw.example",
        "sip:",
        "client:alice",
        "sip:" + "9" * 40 + "@gw.example",
    ],
)
def test_a_withheld_or_unparseable_caller_id_is_an_unknown_caller(raw):
    assert phones.from_caller_id(raw) is None


@pytest.mark.parametrize(
    ("raw", "e164"),
    [
        ("+84992123456", "+84992123456"),  # a range phonenumbers does not know yet
        ("0992 123 456", "+84992123456"),
        ("84992123456", "+84992123456"),
        ("0084992123456", "+84992123456"),
        ("+1 415 555 0100", "+14155550100"),
        ("0912345678", "+84912345678"),
    ],
)
def test_any_numeric_sender_of_nine_to_fifteen_digits_is_a_person(raw, e164):
    assert phones.sender(raw) == e164
    assert phones.is_plausible(e164)


@pytest.mark.parametrize(
    "raw", ["191", "5656", "12345678", "Viettel", "XAPHULAM", "", "+" + "9" * 16]
)
def test_short_codes_and_alphanumeric_senders_are_not_people(raw):
    with pytest.raises(phones.InvalidPhone):
        phones.sender(raw)
