"""Normalisation before the classifier: every teencode and English entry, repeats, run-ons."""

import datetime as dt
import random

import pytest

from sms.nlu import augment, clauses, corpus, dates, normalise, text, thanks
from sms.nlu.reading import read_tokens

KNOWN = frozenset(
    {"XIN", "HEN", "DEN", "NHA", "GIUP", "PHU", "HOA", "CAN", "BO", "LONG", "HAU", "LOI", "DONG"}
)


@pytest.mark.parametrize("written, meant", sorted(normalise.TEENCODE.items()))
def test_every_teencode_entry_is_read_as_its_words(written, meant):
    assert normalise.normalise(["TOI", written, "NHA"]) == ["TOI", *meant.split(), "NHA"]


@pytest.mark.parametrize("written, meant", sorted(normalise.ENGLISH_WORDS.items()))
def test_every_english_word_is_read_as_its_vietnamese_meaning(written, meant):
    assert normalise.normalise(["NHO", written, "GIUP"]) == ["NHO", *meant.split(), "GIUP"]


@pytest.mark.parametrize("phrase, meant", sorted(normalise.ENGLISH_PHRASES.items()))
def test_every_english_phrase_is_read_as_its_vietnamese_meaning(phrase, meant):
    assert normalise.normalise(["NHO", *phrase, "GIUP"]) == ["NHO", *meant.split(), "GIUP"]


def test_english_words_and_vietnamese_words_meet_in_the_same_features():
    assert (
        read_tokens("book 1 home visit cho grandma")[1]
        == read_tokens("hen 1 den nha cho ba noi")[1]
    )


@pytest.mark.parametrize(
    "written, meant",
    [("HENNN", "HEN"), ("NHAAA", "NHA"), ("GIUPP", "GIUP"), ("LOII", "LOI"), ("DONGG", "DONG")],
)
def test_repeated_letters_are_collapsed(written, meant):
    assert normalise.collapse_repeats(written, KNOWN) == meant


def test_codes_and_known_words_keep_their_repeats():
    assert normalise.collapse_repeats("99998", KNOWN) == "99998"
    assert normalise.collapse_repeats("XOONG", frozenset({"XOONG"})) == "XOONG"


@pytest.mark.parametrize(
    "written, meant",
    [("XINHEN", ["XIN", "HEN"]), ("DENNHA", ["DEN", "NHA"]), ("LONGHAU", ["LONG", "HAU"])],
)
def test_words_run_together_are_split_into_known_words(written, meant):
    assert normalise.split_run_on(written, KNOWN) == meant


def test_an_unknown_word_that_is_not_two_known_ones_stays():
    assert normalise.split_run_on("KEVINX", KNOWN) == ["KEVINX"]
    assert normalise.split_run_on("XINHEN", frozenset()) == ["XINHEN"]


def test_f_is_read_as_ph_when_that_is_a_known_word():
    assert normalise.normalise(["FU", "HOA", "A"], KNOWN) == ["PHU", "HOA", "A"]
    assert normalise.normalise(["FACEBOOK"], KNOWN) == ["FACEBOOK"]


def test_a_long_letter_is_cut_into_clauses_and_a_short_one_joins_the_next():
    text = "Chao co, toi la Ba o gan cho. Nam nay mua tot. Cho toi hoi, bua nao to xuong ap. Cam on"
    assert clauses.clauses(text) == [
        "Chao co, toi la Ba o gan cho",
        "Nam nay mua tot",
        "Cho toi hoi, bua nao to xuong ap, Cam on",
    ]


def test_the_clause_that_asks_is_the_one_the_model_is_surest_of():
    calls = []

    def score(found):
        calls.append(list(found))
        return [
            ("schedule", 0.9) if "to xuong" in clause else ("question", 0.95) for clause in found
        ]

    text = "Chao co, toi la Ba o gan cho. Nam nay mua tot. Cho toi hoi, bua nao to xuong ap"
    clause, intent, probability = clauses.best_clause(text, score)
    assert (intent, probability) == ("schedule", 0.9) and "to xuong" in clause
    # The letter's clauses are scored in one call, not one call per clause.
    assert calls == [clauses.clauses(text)]


def test_a_letter_that_asks_nothing_has_no_clause_to_act_on():
    def score(found):
        return [("question", 1.0)] * len(found)

    assert clauses.best_clause("Nam nay mua tot. Ba toi khoe.", score) is None


MONDAY = dt.date(2027, 3, 1)


@pytest.mark.parametrize(
    "text, first, last",
    [
        ("thu 5 nay to co xuong ko", dt.date(2027, 3, 4), dt.date(2027, 3, 4)),
        ("Thứ Bảy này có tổ không", dt.date(2027, 3, 6), dt.date(2027, 3, 6)),
        ("thu 3 tuan sau", dt.date(2027, 3, 9), dt.date(2027, 3, 9)),
        ("chu nhat nay co can bo", dt.date(2027, 3, 7), dt.date(2027, 3, 7)),
        ("ngay 15 co can bo ve ap", dt.date(2027, 3, 15), dt.date(2027, 3, 15)),
        ("ngay 12/4 co to ko", dt.date(2027, 4, 12), dt.date(2027, 4, 12)),
        ("ngay 8 thang sau co to", dt.date(2027, 4, 8), dt.date(2027, 4, 8)),
        ("tuan sau to co xuong ap ko", dt.date(2027, 3, 8), dt.date(2027, 3, 14)),
        ("tuan nay co to luu dong ko", dt.date(2027, 3, 1), dt.date(2027, 3, 7)),
        ("mai co to luu dong ko", dt.date(2027, 3, 2), dt.date(2027, 3, 2)),
        ("ngay mot co can bo", dt.date(2027, 3, 3), dt.date(2027, 3, 3)),
        ("hom nay co to ko", dt.date(2027, 3, 1), dt.date(2027, 3, 1)),
        ("is the team coming this Thursday", dt.date(2027, 3, 4), dt.date(2027, 3, 4)),
        ("does the team come on the 20th", dt.date(2027, 3, 20), dt.date(2027, 3, 20)),
    ],
)
def test_the_date_a_schedule_question_names(text, first, last):
    when = dates.date_words(read_tokens(text)[1])
    assert dates.resolve(when, MONDAY) == (first, last)


def test_a_day_already_past_this_month_is_next_month():
    when = dates.date_words(read_tokens("ngay 1 co to ko")[1])
    assert dates.resolve(when, dt.date(2027, 3, 10)) == (dt.date(2027, 4, 1),) * 2


@pytest.mark.parametrize("text", ["ba toi 80 tuoi", "nam nay lua tot", "lich ap tan phu"])
def test_words_that_name_no_date(text):
    assert dates.date_words(read_tokens(text)[1]) is None


@pytest.mark.parametrize(
    "text",
    ["cảm ơn cán bộ hôm trước đã đến nhà", "dạ được", "ok chú", "thanks so much", "da", "Vâng ạ"],
)
def test_thanks_and_acknowledgements(text):
    assert thanks.is_thanks(read_tokens(text)[1], text)


@pytest.mark.parametrize(
    "text",
    [
        "cam on, xin hen can bo den nha",
        "cam on can bo, cho hoi bua nao to xuong",
        "khong can can bo toi nha nua, cam on",
        "ok hen",
        "cam on, khi nao co tien?",
        "thoi khoi, cam on can bo",  # no thanks: a cancellation
        "bo nhan tin",  # "bỏ", not the "bộ" of "cán bộ"
    ],
)
def test_thanks_that_also_ask_are_not_only_thanks(text):
    assert not thanks.is_thanks(read_tokens(text)[1], text)


def test_augmentation_is_seeded_reproducible_and_only_from_its_input():
    dev = corpus.read(corpus.DEV)[:60]
    first, again = augment.augment(dev), augment.augment(dev)
    assert first == again and len(first) > len(dev)
    assert augment.augment(dev, seed=7) != first
    texts = {e.text for e in dev}
    assert not texts & {e.text for e in first}
    assert {(e.intent, e.hamlet, e.procedure) for e in first} <= {
        (e.intent, e.hamlet, e.procedure) for e in dev
    }


def test_augmentation_makes_each_kind_of_writing():
    rng = random.Random(1)
    letter = augment.letter("xin can bo den nha", rng)
    assert len(letter) >= 250 and "den nha" in letter.lower()
    teencode = {
        augment.substitute("toi khong biet", augment.TEENCODE_OUT, random.Random(n))
        for n in range(5)
    }
    assert teencode - {"toi khong biet"}
    assert augment.typo("xin hen can bo", random.Random(3)) != "xin hen can bo"
    english = {
        augment.substitute("xin can bo den nha ba noi", augment.ENGLISH_OUT, random.Random(n))
        for n in range(5)
    }
    assert english - {"xin can bo den nha ba noi"}


def test_a_cached_reading_is_never_used_with_another_word_set():
    assert normalise.normalise(["FU", "HOA"], frozenset({"PHU"})) == ["PHU", "HOA"]
    assert normalise.normalise(["FU", "HOA"], frozenset()) == ["FU", "HOA"]
    assert normalise.normalise(["FU", "HOA"], frozenset({"PHU"})) == ["PHU", "HOA"]


@pytest.mark.parametrize("written, meant", sorted(text.SHORTHAND.items()))
def test_every_older_shorthand_entry_is_read_as_its_words(written, meant):
    assert text.words(f"toi {written.lower()} nha") == ["TOI", *meant.split(), "NHA"]
