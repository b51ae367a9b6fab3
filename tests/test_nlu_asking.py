"""What a message asks: after a request already made, and which language it wants."""

import pytest

from sms.nlu.asking import asks_after_a_request, asks_for_vietnamese, asks_how_to_use
from sms.nlu.reading import read_tokens


def _tokens(text):
    return read_tokens(text)[1]


@pytest.mark.parametrize(
    "text",
    [
        "hen cua ba toi duoc chua a",  # has it been set yet
        "hẹn đến nhà cho má tôi có chưa",
        "cái hẹn của tôi xếp lịch chưa vậy",
        "yeu cau den nha toi dau roi",  # where has it got to
        "xin can bo ghe nha may bua truoc, gio sao roi",
        "da xin den nha tu thu hai ma chua thay ai",  # asked, nobody yet
        "e dat hen r ma chua co ai goi",
        "any news on grandma's visit",
        "hen cua toi la ngay nao",  # one's own booking, asked after
        "lich hen cua me toi",
        "hen roi ma cho hoai khong thay ai",  # waited and waited
        "I booked a visit on monday and nobody came",
    ],
)
def test_a_request_already_made_is_asked_after(text):
    assert asks_after_a_request(_tokens(text))


@pytest.mark.parametrize(
    "text",
    [
        "HEN Phu Hoa A",
        "hen cua toi o phu loi",  # a booking, not a question about one
        "hen cho mai nhe",  # for tomorrow
        "xin can bo den nha, toi o mot minh chua co ai cham soc",  # a plea, a new request
        "hen den nha lam can cuoc, ba toi chua di duoc",
        "book 1 home visit cho grandma",
        "chua thay ai noi lich to luu dong thang nay",  # nobody yet, but nothing was asked
        "dạ con chào cô chú, nhờ cô chú ghé nhà bà nội con",
    ],
)
def test_a_new_request_is_not_asked_after(text):
    assert not asks_after_a_request(_tokens(text))


@pytest.mark.parametrize(
    ("text", "vietnamese"),
    [
        ("tieng viet", True),
        ("nhan tieng viett", True),  # a doubled letter
        ("tiengviet nhe", True),  # run together
        ("english please", False),
        ("tieng anh duoc khong", False),
        ("my vietnamese is bad, english please", False),  # the language named last
        ("I don't read English, vietnamese please", True),
        ("toi khong hieu tieng anh", True),  # a negation turns it round
        ("not vietnamese", False),
        ("vietnamese pls, english is hard for grandma", True),  # the one asked for
        ("doi sang tieng anh giup toi", False),
    ],
)
def test_the_language_asked_for(text, vietnamese):
    assert asks_for_vietnamese(_tokens(text)) is vietnamese


@pytest.mark.parametrize(
    ("text", "asks"),
    [
        ("tro giup toi voi, toi ko biet xai", True),
        ("ba toi chua biet dung may nay", True),
        ("how to use this service", True),
        ("what can I text", True),
        ("hello, how does this service work", True),
        ("toi khong ranh dien thoai, chi toi cach nhan voi", True),
        ("toi khong biet nhan duoc tien chua", False),  # "nhận": received, not "nhắn"
        ("giup toi voi", False),
        ("toi khong biet lam giay khai sinh", False),
    ],
)
def test_asking_how_to_use_the_line(text, asks):
    assert asks_how_to_use(_tokens(text)) is asks
