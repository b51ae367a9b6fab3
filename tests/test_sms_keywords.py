"""The keyword parser on its own: accents, case, typos, synonyms and the words it must refuse."""

import pytest

from app.seed.procedures import PROCEDURES
from sms import keywords
from sms.keywords import parse


@pytest.mark.parametrize(
    ("text", "intent", "code"),
    [
        ("HEN", "visit", None),
        ("hẹn", "visit", None),
        ("Hen.", "visit", None),
        ("DK HEN", "visit", None),
        ("xin den nha", "visit", None),
        ("Tổ lưu động", "visit", None),
        ("Đăng ký khai sinh", "procedure", "KHAISINH"),
        ("KHAI SINH", "procedure", "KHAISINH"),
        ("khai sing", "procedure", "KHAISINH"),
        ("Vn eid", "procedure", "VNEID"),
        ("tiền già", "procedure", "HUUTRI"),
        ("sổ đỏ", "procedure", "SANGTEN"),
        ("DK KS", "procedure", "KHAISINH"),
        ("Hủy", "cancel", None),
        ("Huỷ", "cancel", None),
        ("HUY NHAC", "opt_out", None),
        ("Từ chối", "opt_out", None),
        ("STOP", "opt_out", None),
        ("bắt đầu", "opt_in", None),
        ("START", "opt_in", None),
        ("?", "help", None),
        ("trợ giúp", "help", None),
        ("HD", "guide", None),
        ("Hướng dẫn", "guide", None),
        ("lịch", "schedule", None),
        ("LICK", "schedule", None),
        ("xem lich", "schedule", None),
        ("XEM", "status", None),
        ("kiem tra", "status", None),
        ("HOI tien gia", "question", None),
        ("SCHEDUEL", "schedule", None),
        ("CANCLE", "cancel", None),
        ("ENGLISH", "lang_en", None),
    ],
)
def test_keyword_variants_resolve_to_their_intent(text, intent, code):
    parsed = parse(text, PROCEDURES)
    assert (parsed.intent, parsed.code) == (intent, code)


@pytest.mark.parametrize(
    "text",
    [
        "xin chào",
        "cam on",
        "DK",
        "TC",
        "KT",
        "TK",
        "vì tôi ốm",  # "VI" switches language only as the whole message
        "gấp lắm cô ơi",  # "GAP" (meet) is also "gấp" (urgent)
        "đặt cọc",  # "DAT" (land) only on its own
        "tu choi tro cap",  # opting out must be the whole message
        "Stop please",
        "ong bao tuoi roi",  # not BAOTU (death registration)
    ],
)
def test_greetings_carrier_codes_and_lookalikes_match_nothing_risky(text):
    parsed = parse(text, PROCEDURES)
    assert parsed.intent not in ("opt_out", "opt_in", "lang_en", "lang_vi", "visit")
    if text in ("xin chào", "cam on", "DK", "TC", "KT", "TK", "Stop please"):
        assert parsed.intent is None


def test_keyword_followed_by_hamlet_and_reason_keeps_the_raw_words_for_staff():
    parsed = parse("HẸN Phú Hòa A cần làm căn cước", PROCEDURES)
    assert parsed.intent == "visit"
    assert parsed.rest == "Phú Hòa A cần làm căn cước"
    assert parsed.words == ["PHU", "HOA", "A", "CAN", "LAM", "CAN", "CUOC"]


def test_a_leading_dk_is_dropped_before_the_rest_is_kept():
    parsed = parse("DK hen Tan Phu", PROCEDURES)
    assert (parsed.intent, parsed.rest) == ("visit", "Tan Phu")


def test_procedure_phrase_inside_a_sentence_is_found_on_whole_words():
    parsed = parse("toi o ap Phu Hoa A can lam can cuoc", PROCEDURES)
    assert (parsed.intent, parsed.code, parsed.how) == ("procedure", "CANCUOC", "phrase")


@pytest.mark.parametrize(("text", "number"), [("2", 2), ("so 3", 3), ("Ấp 10", 10), ("3.", 3)])
def test_digits_and_short_number_answers_are_menu_picks(text, number):
    parsed = parse(text, PROCEDURES)
    assert (parsed.intent, parsed.number) == ("digit", number)


def test_empty_and_emoji_only_bodies_have_no_words():
    assert parse("", PROCEDURES).how == "empty"
    assert parse("   ", PROCEDURES).how == "empty"
    assert parse("🙏🙏", PROCEDURES).how == "empty"


def test_english_looking_text_is_recognised_for_the_reply_language():
    parsed = parse("hello what is this", PROCEDURES)
    assert (parsed.intent, parsed.language) == (None, "en")


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("LICH", "LICK", True),
        ("LICH", "LICHX", True),
        ("LICH", "LCIH", True),
        ("LICH", "LIC", True),
        ("LICH", "LICH", False),
        ("LICH", "LOCK", False),
        ("KHAISINH", "KHAISNG", False),
    ],
)
def test_one_edit_apart_means_exactly_one_typo(a, b, expected):
    assert keywords.one_edit_apart(a, b) is expected


def test_a_1000_character_body_parses_quickly_and_finds_the_procedure():
    text = ("toi can hoi ve the bao hiem y te cho ba " * 30)[:1000]
    assert parse(text, PROCEDURES).code == "BHYT"
