"""What residents say about themselves, read from their words: held-out examples first.

These sentences were written before the rules, in the ways residents of the walk-through
wrote (with and without accents); none of them is quoted in app/request_queue/said_facts.py.
"""

import datetime as dt

import pytest

from app.request_queue import said_facts

TODAY = dt.date(2026, 12, 7)


@pytest.mark.parametrize(
    "words, age",
    [
        ("ba 80 tuoi", 80),
        ("78 tuoi song mot minh", 78),
        ("me toi 85 tuoi", 85),
        ("Bố tôi năm nay 91 tuổi rồi", 91),
        ("ong noi 76t, chan yeu", 76),
        ("tôi sinh năm 1944, nhờ cán bộ tới nhà", 82),
        ("con toi 5 tuoi can lam giay khai sinh", None),
        ("nha so 80 duong tuoi tre", None),
        ("cho hoi lam so do can gi", None),
    ],
)
def test_an_age_is_read_from_the_residents_words(words, age):
    assert said_facts.extract(words, today=TODAY).age == age


@pytest.mark.parametrize(
    "words, alone",
    [
        ("78 tuoi song mot minh", True),
        ("tôi ở một mình, con cái đi làm xa", True),
        ("ba gia neo don khong ai cham soc", True),
        ("me toi song 1 minh", True),
        ("tôi không sống một mình, ở với con", False),
        ("minh muon hoi thu tuc", False),
    ],
)
def test_living_alone_is_read_from_the_residents_words(words, alone):
    assert said_facts.extract(words, today=TODAY).lives_alone is alone


@pytest.mark.parametrize(
    "words, hard",
    [
        ("tôi bị liệt không đi được, nhờ cán bộ tới giúp làm giấy tờ đất", True),
        ("ba nam mot cho da 2 nam", True),
        ("ông nằm liệt giường", True),
        ("me toi di lai kho khan", True),
        ("bo toi phai ngoi xe lan", True),
        ("chan yeu khong di duoc xa", True),
        ("toi di lam ca ngay khong ve kip", False),
        ("ong ay di duoc, chi hoi thu tuc", False),
    ],
)
def test_being_hard_to_move_is_read_from_the_residents_words(words, hard):
    assert said_facts.extract(words, today=TODAY).limited_mobility is hard


@pytest.mark.parametrize(
    "words, name",
    [
        ("Tôi tên là Nguyễn Văn Ba, ở ấp Phú Lợi", "Nguyễn Văn Ba"),
        ("toi ten Tran Thi Hoa, 80 tuoi", "Tran Thi Hoa"),
        ("Tên tôi là Lê Văn Tám.", "Lê Văn Tám"),
        ("tôi là bà Võ Thị Sáu, nhờ cán bộ giúp", "Võ Thị Sáu"),
        ("tôi là người ấp Phú Lợi", None),
        ("toi ten la gi thi can bo biet roi", None),
    ],
)
def test_a_stated_name_is_read_from_the_residents_words(words, name):
    assert said_facts.extract(words, today=TODAY).name == name


def test_suggestions_are_only_what_the_profile_does_not_say_yet():
    resident = {
        "name": None,
        "age_75_plus": 0,
        "birth_year": None,
        "lives_alone": 1,
        "limited_mobility": 0,
    }
    found = said_facts.suggestions("Tôi tên là Lê Văn Tám, 85 tuổi sống một mình", resident, TODAY)
    assert [(s.field, s.value) for s in found] == [
        ("age", 85),
        ("name", "Lê Văn Tám"),
    ]
    assert said_facts.profile_changes(found[0], TODAY) == {"age_75_plus": 1, "birth_year": 1941}
    assert said_facts.profile_changes(found[1], TODAY) == {"name": "Lê Văn Tám"}
