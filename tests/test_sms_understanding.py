"""Residents' own words through the Twilio webhook: understood, asked about, or handed over."""

import re

import pytest

from app import lifecycle, residents
from app.language.texts import fits_one_sms, is_gsm7

PHONE = "+84912000111"


def _requests(db, phone=PHONE):
    resident = residents.by_phone(db, phone)
    if resident is None:
        return []
    return list(db["requests"].rows_where("resident_id = ?", [resident["id"]], order_by="id"))


def _hamlet_id(db, code):
    return next(iter(db["hamlets"].rows_where("code = ?", [code])))["id"]


def _last_inbound(db):
    return list(db["messages"].rows_where("direction = 'in'", order_by="id"))[-1]


def test_a_visit_in_everyday_words_with_a_hamlet_is_booked(text_in, db):
    (reply,) = text_in("tui gia roi di hong noi, nho may chu toi nha giup, nha o phu loi")
    (request,) = _requests(db)
    assert (request["kind"], request["hamlet_id"]) == ("visit", _hamlet_id(db, "PHULOI"))
    assert request["ref"] in reply


def test_a_visit_with_a_reason_carries_the_procedure_for_the_trip_sheet(text_in, db):
    (reply,) = text_in("den nha lam can cuoc cho ba toi, o ap tan phu")
    (request,) = _requests(db)
    assert (request["kind"], request["service_code"]) == ("visit", "CANCUOC")


def test_a_guidance_question_that_asks_for_a_visit_books_it_and_sends_the_papers(text_in, db):
    confirmation, papers = text_in("lam khai sinh can giay gi, nho can bo ghe nha luon, phu hoa a")
    (request,) = _requests(db)
    assert (request["kind"], request["service_code"]) == ("visit", "KHAISINH")
    assert request["ref"] in confirmation and papers.startswith("Xa Phu Lam: Mang theo")


def test_a_schedule_question_in_plain_words_gets_the_schedule(text_in, db):
    (reply,) = text_in("chung nao to luu dong xuong long hau vay")
    assert "Long Hau" in reply and _requests(db) == []
    assert _last_inbound(db)["intent"] == "schedule"


def test_a_cancellation_in_plain_words_cancels_the_visit(text_in, db):
    text_in("HEN Tan Phu")
    (reply,) = text_in("thoi khoi toi nha nghen, con tui cho tui len xa lam roi")
    (request,) = _requests(db)
    assert request["status"] == "cancelled" and request["ref"] in reply


def test_an_opt_out_in_plain_words_stops_reminders(text_in, db):
    text_in("dung gui tin nhan nua")
    assert residents.by_phone(db, PHONE)["opted_out"] == 1


def test_a_likely_visit_is_asked_about_with_one_key_and_1_books_it(app, text_in, db, monkeypatch):
    from sms.nlu import engine

    monkeypatch.setattr(engine, "ACT_AT", 1.01)  # make the classifier unsure on purpose
    (question,) = text_in("xin to luu dong ghe nha toi o phu dong")
    assert question.endswith("Tra loi 1 = Co, 2 = Khong")
    assert _requests(db) == []
    (reply,) = text_in("1")
    (request,) = _requests(db)
    assert request["kind"] == "visit" and request["ref"] in reply


def test_answering_2_to_the_question_hands_the_words_to_staff(app, text_in, db, monkeypatch):
    from sms.nlu import engine

    monkeypatch.setattr(engine, "ACT_AT", 1.01)
    text_in("xin to luu dong ghe nha toi o phu dong")
    (reply,) = text_in("2")
    (request,) = _requests(db)
    assert (request["kind"], request["description"]) == (
        "question",
        "xin to luu dong ghe nha toi o phu dong",
    )
    assert reply.startswith("Xa Phu Lam: Da chuyen tin cho can bo")


def test_an_unsure_message_goes_to_staff_with_two_keyword_hints(text_in, db):
    (reply,) = text_in("con ba sau o xom duoi nho hoi chuyen nay chut")
    (request,) = _requests(db)
    assert request["kind"] == "question"
    assert len(re.findall(r"\b(?:HEN|LICH|HD|XEM|HUY|TUCHOI|BATDAU|ENGLISH|\?):", reply)) == 2


def test_an_emergency_gets_the_emergency_numbers_and_an_urgent_staff_item(text_in, db):
    (numbers,) = text_in("cap cuu, ong toi te nga bat tinh roi")  # one SMS, nothing else
    assert all(number in numbers for number in ("115", "114", "113"))
    (request,) = _requests(db)
    assert request["attention"] == "emergency"
    assert request["description"] == "cap cuu, ong toi te nga bat tinh roi"


def test_a_plea_with_an_automatic_answer_still_reaches_a_person(text_in, db):
    steps, _papers = text_in("HD can cuoc, toi o mot minh, di khong duoc")
    assert steps.startswith("Xa Phu Lam: Can cuoc")  # the guidance goes out
    (request,) = _requests(db)
    assert (request["kind"], request["attention"]) == ("question", "distress")
    assert request["description"] == "HD can cuoc, toi o mot minh, di khong duoc"


def test_a_long_message_reaches_a_person_with_all_its_words(text_in, db):
    story = (
        "Chao can bo, toi ten Hai, nam nay 70 tuoi, nha co mieng dat 2 cong, toi muon lam "
        "giay tang cho dat cho thang con ut, so do dung ten toi va ba xa toi, ba xa toi mat "
        "roi, xin can bo chi giup toi"
    )
    assert len(story) > 160
    text_in(story)
    marked = [r for r in _requests(db) if r["attention"]]
    assert marked and any(
        r["description"] == story or story in [e["note"] for e in lifecycle.events(db, r["id"])]
        for r in marked
    )


def test_a_sender_in_a_range_phonenumbers_does_not_know_is_answered(text_in, db):
    (reply,) = text_in("HEN Phu Loi", phone="+84992123456")
    assert reply.startswith("Xa Phu Lam:")
    assert residents.by_phone(db, "+84992123456")


def test_short_codes_and_alphanumeric_senders_are_stored_but_not_answered(text_in, db):
    assert text_in("Khuyen mai 50%", phone="191") == []
    assert text_in("Tang data", phone="Viettel") == []
    assert [m["intent"] for m in db["messages"].rows_where("direction = 'in'")] == [
        "bad_sender",
        "bad_sender",
    ]


def test_xem_with_a_code_shows_only_the_senders_own_request(text_in, db):
    text_in("HEN Tan Phu", phone="+84912000222")
    (theirs,) = _requests(db, "+84912000222")
    (mine,) = text_in(f"XEM {theirs['ref']}")
    (unknown,) = text_in("XEM 99998")
    assert mine.replace(theirs["ref"], "#") == unknown.replace("99998", "#")
    text_in("HEN Phu Loi")
    (own,) = _requests(db)
    (status,) = text_in(f"xem {own['ref']}")
    assert own["ref"] in status and theirs["ref"] not in status


@pytest.mark.parametrize(
    "body",
    [
        "asdkjh qwpoe zxmnb",  # gibberish
        "🙏🙏🙏",  # emoji only
        "... ,,, ;;; !!!",  # punctuation only
        "x" * 1600,  # one long word, over ten segments
        "\u0000\u0007 \u202e qzx \u200b",  # control and direction characters
        "求助 помогите",  # other scripts
    ],
    ids=["gibberish", "emoji", "punctuation", "long-word", "control-chars", "other-scripts"],
)
def test_bad_input_gets_a_short_help_text_and_a_staff_item(text_in, db, body):
    replies = text_in(body)
    assert replies, "every person gets an answer"
    assert all(fits_one_sms(reply) and is_gsm7(reply) for reply in replies)
    requests = _requests(db)
    assert requests and requests[-1]["kind"] == "question"
    assert _last_inbound(db)["body"] == body
