"""Each way residents write (issue 19, §1), read by the understanding step.

The messages here are new: in neither corpus split, so the classifier never trained on them.
"""

import pytest

from sms.nlu import engine
from sms.nlu.engine import understand
from sms.nlu.model import Model


@pytest.fixture(scope="module")
def catalogue(nlu_model_path):
    catalogue = engine.training_catalogue()
    catalogue.model = Model.load(nlu_model_path)
    return catalogue


PHENOMENA = [
    # Writing: with and without accents, mixed, upper and lower case.
    ("accents", "Tổ lưu động chừng nào xuống ấp Phú Lợi vậy", "schedule", "PHULOI", None),
    ("no accents", "to luu dong chung nao xuong ap phu loi vay", "schedule", "PHULOI", None),
    ("mixed accents", "tổ luu dong chừng nao xuống ap phu lợi", "schedule", "PHULOI", None),
    ("upper case", "TO LUU DONG CHUNG NAO XUONG AP PHU LOI", "schedule", "PHULOI", None),
    # Southern words and habits.
    ("southern words", "má tui đi hổng nổi, mấy chú ghé nhà giùm nghen", "visit", None, None),
    # Abbreviations.
    ("abbreviations", "ko bik lam giay khai sinh ntn vs", "guidance", None, "KHAISINH"),
    # Typos: telex leftovers, doubled spaces, no spaces.
    ("telex leftover", "lam khai sinhf cho chau noi can giay gi", "guidance", None, "KHAISINH"),
    ("doubled spaces", "dang  ky  tam  tru  can  giay  to  gi", "guidance", None, "TAMTRU"),
    ("no spaces", "tamtru can giay gi vay", "guidance", None, "TAMTRU"),
    # Who writes: a child for a parent.
    (
        "a child writes for a parent",
        "con viet dum ma con: ma muon can bo toi nha lam can cuoc, ma o ap tan phu",
        "visit",
        "TANPHU",
        "CANCUOC",
    ),
    # English.
    ("English", "when will the mobile team come to my hamlet", "schedule", None, None),
]


@pytest.mark.parametrize(
    ("message", "intent", "hamlet", "procedure"),
    [case[1:] for case in PHENOMENA],
    ids=[case[0] for case in PHENOMENA],
)
def test_each_way_of_writing_is_understood(catalogue, message, intent, hamlet, procedure):
    reading = understand(message, catalogue)
    assert reading.acted_intent.split(":")[0] == intent
    assert reading.hamlet == hamlet
    assert reading.procedure == procedure


def test_a_long_story_with_the_request_buried_inside_reaches_a_person(catalogue):
    story = (
        "Chao chu, tui ten Bay o ap Phu Loi, nam nay tui 78 tuoi roi, ong nha tui mat hoi nam "
        "ngoai, con cai di lam tren Sai Gon het, tui o nha mot minh, chan dau hong di duoc, "
        "nho chu cho can bo toi nha lam lai can cuoc cho tui"
    )
    reading = understand(story, catalogue)
    assert len(story) > 160 and reading.needs_person
    assert reading.hamlet == "PHULOI"


def test_two_intents_in_one_message_book_the_visit_and_send_the_guidance(catalogue):
    reading = understand("lam can cuoc can giay to gi, nho can bo ghe nha giup", catalogue)
    assert (reading.acted_intent, reading.procedure) == ("visit", "CANCUOC")
    assert reading.asks_how


def test_a_question_the_catalogue_does_not_cover_goes_to_a_person(catalogue):
    reading = understand("nam nay xa minh co phat gao cuu doi khong chu", catalogue)
    assert reading.acted_intent == "question"


@pytest.mark.parametrize(
    "message",
    [
        "hen den nha cua ba noi con duoc chua a",  # the HEN keyword, asked after
        "toi da xin can bo ghe nha tuan truoc ma chua thay ai toi",
        "I booked a home visit for grandpa last week, nobody came",
    ],
)
def test_a_visit_asked_after_is_a_status_question_not_a_new_booking(catalogue, message):
    reading = understand(message, catalogue)
    assert reading.acted_intent == "status"


def test_a_visit_asked_for_is_still_a_visit(catalogue):
    assert understand("HEN Phu Hoa A", catalogue).acted_intent == "visit"
    assert understand("cb ghe nha ba noi e dc hok z", catalogue).acted_intent == "visit"
