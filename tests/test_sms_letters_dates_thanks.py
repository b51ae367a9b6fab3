"""Issue 26 through the Twilio webhook: long letters, thanks, one emergency SMS, dated questions."""

import datetime as dt

import time_machine

from app import residents, trips
from app.request_queue import attention, service_requests

PHONE = "+84912000222"
# A Monday morning in Phú Lâm: "thứ 5 này" is 4 March 2027.
MONDAY = dt.datetime(2027, 3, 1, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=7)))


def _requests(db, phone=PHONE):
    resident = residents.by_phone(db, phone)
    if resident is None:
        return []
    return list(db["requests"].rows_where("resident_id = ?", [resident["id"]], order_by="id"))


def _hamlet_id(db, code):
    return next(iter(db["hamlets"].rows_where("code = ?", [code])))["id"]


LETTER = (
    "Chao co chu can bo, chau la Minh, chau di lam tho may o Binh Duong may nam nay. "
    "Nam nay nha chau trung mua xoai, ba chau khoe, chi co ong noi hay dau lung. "
    "Ong noi chau nam nay 84 tuoi, o ap Phu Loi, ong di lai kho lam. "
    "Chau nho can bo den nha lam can cuoc cho ong noi giup chau. "
    "Nha ong o gan cau sat, cong mau xanh. Chau cam on co chu nhieu."
)


def test_a_long_letter_books_the_visit_it_asks_for_and_still_reaches_a_person(text_in, db):
    assert len(LETTER) > 250
    replies = text_in(LETTER, phone=PHONE)
    visit = next(r for r in _requests(db) if r["kind"] == "visit")
    assert visit["hamlet_id"] == _hamlet_id(db, "PHULOI")
    assert visit["service_code"] == "CANCUOC"
    # The reply says what was understood: a home visit, with its code.
    assert "Da nhan yeu cau den nha" in replies[0] and visit["ref"] in replies[0]
    # Principle 10: the whole letter is also in front of a person.
    marked = [r for r in _requests(db) if r["attention"] == attention.LONG] or [
        r for r in _requests(db) if r["attention"]
    ]
    assert marked
    assert any(
        r["description"] == LETTER
        or LETTER in [e["note"] for e in service_requests.events(db, r["id"])]
        for r in marked
    )


def test_thanks_get_a_short_thank_you_and_no_prompt(text_in, db):
    for words in ("cảm ơn cán bộ hôm trước đã đến nhà", "dạ được", "ok chú"):
        (reply,) = text_in(words, phone=PHONE)
        assert reply == "Xa Phu Lam: Cam on ong ba."
    assert _requests(db) == []


def test_thanks_that_also_ask_are_read_as_a_request(text_in, db):
    (reply,) = text_in("cam on can bo, cho hoi chung nao to luu dong xuong long hau", phone=PHONE)
    assert "Long Hau" in reply


def test_an_emergency_gets_one_sms_with_the_numbers_and_a_call_back(text_in, db):
    replies = text_in("cap cuu, ba toi te xiu bat tinh roi", phone=PHONE)
    assert len(replies) == 1
    (reply,) = replies
    assert all(number in reply for number in ("115", "114", "113"))
    assert "se goi lai" in reply
    assert "HEN" not in reply and "LICH" not in reply
    (request,) = _requests(db)
    assert request["attention"] == "emergency"


def _trip_days(db, code):
    hamlet_id = _hamlet_id(db, code)
    trips.next_trip_for(db, hamlet_id)
    return [
        trips_row["starts_at"] for trips_row in trips.upcoming_for_hamlet(db, hamlet_id, limit=10)
    ]


def test_a_question_with_a_date_is_answered_about_that_date(text_in, db):
    from app.infra import clock
    from app.language import days

    with time_machine.travel(MONDAY, tick=False):
        starts = _trip_days(db, "TANPHU")
        assert starts, "the seed plans trips to Tan Phu"
        first = clock.to_local(starts[0]).date()
        asked = f"ngay {first.day} to luu dong co xuong tan phu ko"
        (reply,) = text_in(asked, phone=PHONE)
        assert reply.startswith("Xa Phu Lam: Co. To luu dong den ap Tan Phu")
        assert days.sms_day(first) in reply


def test_a_date_without_a_visit_gets_the_next_date(text_in, db):
    from app.infra import clock
    from app.language import days

    with time_machine.travel(MONDAY, tick=False):
        starts = [clock.to_local(s).date() for s in _trip_days(db, "TANPHU")]
        free = next(
            starts[0] + dt.timedelta(days=n)
            for n in range(1, 20)
            if starts[0] + dt.timedelta(days=n) not in starts
        )
        later = min(day for day in starts if day > free)
        (reply,) = text_in(f"ngay {free.day} co can bo ve tan phu khong", phone=PHONE)
        assert "khong den ap Tan Phu" in reply
        assert days.sms_day(later) in reply
