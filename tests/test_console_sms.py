"""What residents are told about their visit: the time of day, and no second HEN."""

from app import trips
from app.infra import clock
from app.language import days
from app.request_queue import service_requests


def test_the_booking_confirmation_says_the_time_of_day(text_in, db):
    [reply] = text_in("HEN Phu Dong", phone="+84912000222")
    request = next(db.query("SELECT * FROM requests ORDER BY id DESC LIMIT 1"))
    trip = trips.get(db, request["trip_id"])
    start = clock.to_local(trip["starts_at"])
    assert days.sms_day(start.date()) in reply
    assert days.sms_time(start) in reply  # "7h30", as the reminder and LICH say it


def test_a_resident_with_a_visit_who_texts_lich_is_not_told_to_text_hen(text_in, db):
    text_in("HEN Phu Dong", phone="+84912000333")
    visit = service_requests.by_ref(db, db.execute("SELECT ref FROM requests").fetchone()[0])
    [reply] = text_in("LICH", phone="+84912000333")
    assert "HEN de xin" not in reply and "Nhan HEN" not in reply
    assert visit["ref"] in reply
    start = clock.to_local(trips.get(db, visit["trip_id"])["starts_at"])
    assert days.sms_day(start.date()) in reply and days.sms_time(start) in reply


def test_a_resident_without_a_visit_still_learns_how_to_ask(text_in):
    [reply] = text_in("LICH Phu Dong", phone="+84912000444")
    assert "HEN" in reply
