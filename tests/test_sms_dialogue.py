"""Conversations end to end through the signed Twilio webhook, checked against the database."""

import datetime as dt
import re

import time_machine

from app import communes, lifecycle, trips
from app.infra import clock
from app.language.days import sms_day
from app.language.texts import fits_one_sms
from sms import dialogue, inbox, state

PHONE = "+84912000111"


def _resident(db, phone=PHONE):
    return next(iter(db["residents"].rows_where("phone = ?", [phone])))


def _requests(db, phone=PHONE):
    resident = _resident(db, phone)
    return list(db["requests"].rows_where("resident_id = ?", [resident["id"]], order_by="id"))


def _hamlet(db, code):
    return next(iter(db["hamlets"].rows_where("code = ?", [code])))


def test_visit_with_hamlet_and_reason_opens_one_request_and_replies_ref_and_day(text_in, db):
    [reply] = text_in("HEN Phu Hoa A can lam can cuoc")
    [request] = _requests(db)
    hamlet = _hamlet(db, "PHUHOAA")
    trip = trips.get(db, request["trip_id"])
    day = sms_day(clock.to_local(trip["starts_at"]).date())
    assert (request["kind"], request["channel"]) == ("visit", "sms")
    assert request["hamlet_id"] == hamlet["id"]
    assert request["description"] == "Phu Hoa A can lam can cuoc"
    assert request["ref"] in reply and day in reply
    assert reply.startswith("Xa Phu Lam: ") and fits_one_sms(reply)
    assert _resident(db)["hamlet_id"] == hamlet["id"]


def test_second_visit_request_does_not_duplicate_and_says_the_first_stands(text_in, db):
    text_in("HEN Tan Phu")
    [reply] = text_in("hen lai nha, con dau lung")
    [request] = _requests(db)
    assert request["ref"] in reply and "van con" in reply
    notes = [event["note"] for event in lifecycle.events(db, request["id"])]
    assert "lai nha, con dau lung" in notes


def test_unknown_hamlet_is_asked_with_a_numbered_list_then_the_digit_opens_the_visit(text_in, db):
    [question] = text_in("HEN can sao y giay to")
    assert "1=Phu Hoa A" in question and "10=Long Hoa 1" in question
    assert fits_one_sms(question)
    assert _requests(db) == []
    [reply] = text_in("4")
    [request] = _requests(db)
    assert request["hamlet_id"] == _hamlet(db, "PHUTHUANB")["id"]
    assert request["description"] == "can sao y giay to"
    assert request["ref"] in reply
    assert state.get(db, PHONE) == (None, {})


def test_hamlet_named_in_words_answers_the_hamlet_question(text_in, db):
    text_in("HEN")
    [reply] = text_in("Long Hòa 1")
    [request] = _requests(db)
    assert request["hamlet_id"] == _hamlet(db, "LONGHOA1")["id"]
    assert request["ref"] in reply


def test_out_of_range_digit_repeats_the_menu(text_in, db):
    text_in("HEN")
    [reply] = text_in("42")
    assert "1=Phu Hoa A" in reply
    assert _requests(db) == []


def test_menu_expires_so_a_late_digit_goes_to_staff(text_in, db):
    text_in("HD")
    with time_machine.travel(clock.now() + state.MENU_LIFETIME + dt.timedelta(minutes=1)):
        [reply] = text_in("3")
    [question] = _requests(db)
    assert (question["kind"], question["description"]) == ("question", "3")
    assert "chuyen tin cho can bo" in reply


def test_guide_keyword_shows_menu_and_a_digit_sends_steps_and_documents(text_in, db):
    [menu] = text_in("HD")
    assert "3=Khai sinh" in menu and fits_one_sms(menu)
    steps, documents = text_in("3")
    assert "Khai sinh" in steps and documents.startswith("Xa Phu Lam: Mang theo")
    # The menu stays live so another number can be read.
    steps2, _docs = text_in("11")
    assert "BHYT" in steps2


def test_hd_with_a_code_or_number_answers_directly(text_in):
    assert len(text_in("HD khai sinh")) == 2
    assert len(text_in("HD 3")) == 2


def test_schedule_for_own_hamlet_and_named_hamlet(text_in, db):
    text_in("HEN Phu Dong")
    [own] = text_in("LICH")
    [named] = text_in("LICH Phu Hoa B")
    for reply, code in ((own, "PHUDONG"), (named, "PHUHOAB")):
        trip = trips.next_trip_for(db, _hamlet(db, code)["id"])
        assert sms_day(clock.to_local(trip["starts_at"]).date()) in reply


def test_a_hamlet_without_trips_gives_the_office_number_only_once_an_admin_set_it(text_in, db):
    from app.catalogue import commune_settings
    from db import transaction

    with transaction(db):
        db["hamlets"].insert({"code": "LONGHOA2", "name": "Long Hòa 2", "route_order": 11})
    [reply] = text_in("LICH Long Hoa 2")
    assert "Chua co lich to luu dong den ap Long Hoa 2" in reply
    assert not any(ch.isdigit() for ch in reply.replace("Long Hoa 2", ""))
    with transaction(db):
        commune_settings.save(db, {"office_phone": "02963123456"})
    [reply] = text_in("LICH Long Hoa 2")
    assert "goi xa so 0296 3123 456" in reply


def test_schedule_without_any_hamlet_asks_which_one(text_in):
    [menu] = text_in("LICH")
    assert "Lich ap nao" in menu
    [reply] = text_in("6")
    assert "Tan Phu" in reply


def test_status_lists_open_requests_with_refs(text_in, db):
    text_in("HEN Phu Loi")
    text_in("HOI tien gia thang nay khi nao co")
    [reply] = text_in("XEM")
    visit, question = _requests(db)
    assert visit["ref"] in reply and question["ref"] in reply
    assert fits_one_sms(reply)


def test_cancel_cancels_the_open_visit_and_records_who(text_in, db):
    text_in("HEN Phu Loi")
    [reply] = text_in("HUY")
    [request] = _requests(db)
    assert request["status"] == "cancelled"
    assert request["ref"] in reply
    last = lifecycle.events(db, request["id"])[-1]
    assert (last["actor_type"], last["channel"], last["to_status"]) == (
        "resident",
        "sms",
        "cancelled",
    )


def test_cancel_by_reference_and_refusals(text_in, db):
    text_in("HEN Phu Loi")
    [request] = _requests(db)
    [mine] = text_in(f"huy {request['ref'].lower()}")
    assert "Da huy" in mine
    [again] = text_in(f"HUY {request['ref']}")
    assert "da xong hoac da huy" in again
    [other] = text_in(f"HUY {request['ref']}", phone="+84912000222")
    assert "Khong thay" in other
    [nothing] = text_in("HUY", phone="+84912000333")
    assert "khong co hen" in nothing


def test_huy_as_a_name_at_the_start_of_a_sentence_goes_to_staff(text_in, db):
    text_in("HEN Phu Loi")
    text_in("Huy day, con cua ba Nam o Phu Loi")
    visit, question = _requests(db)
    assert visit["status"] == "scheduled"
    assert question["kind"] == "question"


def test_question_is_queued_with_the_text_after_the_keyword(text_in, db):
    [reply] = text_in("HOI tiền già tháng này khi nào có?")
    [request] = _requests(db)
    assert request["kind"] == "question"
    assert request["description"] == "tiền già tháng này khi nào có"
    assert request["ref"] in reply and "OTP" in reply


def test_unknown_text_gets_help_and_is_queued_for_staff(text_in, db):
    [reply] = text_in("Chào cô, nhà tôi ở gần chợ")
    [request] = _requests(db)
    assert (request["kind"], request["description"]) == ("question", "Chào cô, nhà tôi ở gần chợ")
    # The handover reply: staff will answer, and the two likeliest keywords.
    assert reply.startswith("Xa Phu Lam: Da chuyen tin cho can bo")
    assert len(re.findall(r"\b(?:HEN|LICH|HD|XEM|HUY|TUCHOI|BATDAU|ENGLISH|\?):", reply)) == 2


def test_empty_body_gets_help_and_queues_nothing(text_in, db):
    [reply] = text_in("")
    assert "HEN" in reply
    assert _requests(db) == []


def test_stop_and_start_switch_proactive_messages_but_replies_continue(text_in, db):
    [stopped] = text_in("TUCHOI")
    assert _resident(db)["opted_out"] == 1 and "BATDAU" in stopped
    [still] = text_in("LICH Tan Phu")
    assert "Tan Phu" in still
    text_in("BAT DAU")
    assert _resident(db)["opted_out"] == 0


def test_english_keyword_switches_the_reply_language_and_remembers_it(text_in, db):
    [reply] = text_in("VISIT Phu Tay")
    assert "Home visit request received" in reply
    assert _resident(db)["language"] == "en"
    [schedule] = text_in("LICH Phu Tay")  # a Vietnamese keyword switches back
    assert "To luu dong" in schedule
    assert _resident(db)["language"] == "vi"


def test_rate_limit_stores_but_stops_replying_and_flags_the_number(text_in, db):
    for number in range(10):
        assert text_in(f"xin chao {number}")
    assert text_in("xin chao 11") == []
    resident = _resident(db)
    assert resident["flagged_at"] and "rate limit" in resident["flag_reason"]
    inbound = list(db["messages"].rows_where("phone = ? AND direction = 'in'", [PHONE]))
    assert len(inbound) == 11
    assert inbound[-1]["intent"] == "rate_limited"
    # Staff queue got the first ten, not the looping eleventh.
    assert len(_requests(db)) == 10


def test_rate_limit_follows_the_setting(text_in, db):
    db["settings"].upsert(
        {"commune_id": 1, "key": "sms_rate_limit", "value": "2/600"}, pk=("commune_id", "key")
    )
    assert text_in("XEM") and text_in("XEM")
    assert text_in("XEM") == []


def test_inbound_is_stored_even_when_answering_fails(db, app, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(dialogue, "converse", broken)
    with app.test_request_context():
        outcome = inbox.handle_sms(
            db,
            commune=communes.first_commune(db),
            phone=PHONE,
            body="HEN",
            provider="twilio",
            provider_id="SM1",
            dedupe_key="t:SM1",
        )
    assert outcome.intent == "error" and "HEN" in outcome.replies[0]
    inbound = db["messages"].get(outcome.inbound["id"])
    assert (inbound["body"], inbound["intent"]) == ("HEN", "error")


def test_alphanumeric_senders_are_stored_but_not_answered(text_in, db):
    assert text_in("KHUYEN MAI 50%", phone="VIETTEL") == []
    [row] = db["messages"].rows_where("phone = ?", ["VIETTEL"])
    assert (row["intent"], row["status"]) == ("bad_sender", "ignored")
