"""A November built by hand for the report tests: its rows, and the figures counted by hand."""

import datetime as dt
import itertools
from zoneinfo import ZoneInfo

from app import communes
from app.infra import clock

VN = ZoneInfo("Asia/Ho_Chi_Minh")
# The report is read a week after November ends; unanswered questions wait until then.
READ_AT = dt.datetime(2026, 12, 7, 10, 0, tzinfo=VN)
REFS = itertools.count(10000)


def at(*parts):
    """Stored UTC text of a local Vietnamese time."""
    return clock.iso(dt.datetime(*parts, tzinfo=VN))


def resident(db, phone, commune_id=1, **profile):
    row = {"phone": phone, "commune_id": commune_id, **profile}
    return db["residents"].insert(row).last_pk


def request(db, resident_id, kind, channel, asked, status, code=None, commune_id=1, **more):
    row = {
        "ref": str(next(REFS)),
        "kind": kind,
        "service_code": code or kind.upper(),
        "resident_id": resident_id,
        "channel": channel,
        "status": status,
        "requested_at": asked,
        "commune_id": commune_id,
        **more,
    }
    return db["requests"].insert(row).last_pk


def event(db, request_id, when, to_status, actor_type="staff"):
    db["request_events"].insert(
        {
            "request_id": request_id,
            "at": when,
            "actor_type": actor_type,
            "action": to_status,
            "to_status": to_status,
            "commune_id": 1,
        }
    )


def message(db, direction, when, status=None, intent=None, provider="twilio"):
    db["messages"].insert(
        {
            "direction": direction,
            "provider": provider,
            "phone": "+84912000001",
            "status": status,
            "intent": intent,
            "created_at": when,
            "commune_id": 1,
        }
    )


def call(db, sid, when, direction="inbound"):
    db["calls"].insert(
        {"call_sid": sid, "direction": direction, "started_at": when, "commune_id": 1}
    )


def build_november(db):
    """Build November 2026 in Phu Lam, with its edges, as laid out in the comments below."""
    with db.conn:
        old = resident(db, "+84912000001", age_75_plus=1)
        alone = resident(db, "+84912000002", lives_alone=1, limited_mobility=1)
        young = resident(db, "+84912000003", birth_year=1990)
        born_1951 = resident(db, "+84912000004", birth_year=1951)  # 75 during 2026
        # 23:30 on 30 November local is 16:30 UTC on the 30th: November. Seen 3 Dec 09:00.
        late_night = request(db, old, "visit", "sms", at(2026, 11, 30, 23, 30), "visited")
        event(db, late_night, at(2026, 12, 3, 9, 0), "visited")  # waited 2.40 days
        # 00:10 on 1 November local is still 31 October in UTC: November. Cancelled, then
        # the same resident books again the next morning, and that one is visited.
        cancelled = request(db, born_1951, "visit", "sms", at(2026, 11, 1, 0, 10), "cancelled")
        event(db, cancelled, at(2026, 11, 2, 7, 0), "cancelled", actor_type="resident")
        rebooked = request(
            db, born_1951, "visit", "voice", at(2026, 11, 2, 8, 0), "visited", code="KHAISINH"
        )
        event(db, rebooked, at(2026, 11, 12, 8, 0), "scheduled")
        event(db, rebooked, at(2026, 11, 12, 8, 0), "visited")  # waited 10.0 days
        # Walk-in: not at home on the 6th, visited on the 9th (the wait runs to the visit).
        walk_in = request(db, alone, "visit", "staff", at(2026, 11, 5, 10, 0), "visited")
        event(db, walk_in, at(2026, 11, 6, 9, 0), "unreachable")
        event(db, walk_in, at(2026, 11, 9, 10, 0), "visited")  # waited 4.0 days
        request(db, young, "visit", "api", at(2026, 11, 10, 10, 0), "unreachable", "KHAISINH")
        request(db, young, "visit", "sms", at(2026, 11, 20, 10, 0), "scheduled", code="KETHON")
        # Questions. Friday 10:00 answered Monday 09:00: 71 h, inside 2 working days.
        friday = request(db, alone, "question", "sms", at(2026, 11, 13, 10, 0), "answered")
        event(db, friday, at(2026, 11, 16, 9, 0), "answered")
        # A voice message on Monday answered Thursday 11:00: 73 h, past Wednesday 10:00.
        voice = request(
            db,
            born_1951,
            "question",
            "voice",
            at(2026, 11, 16, 10, 0),
            "answered",
            source_key="voice:CA0001:message",
        )
        event(db, voice, at(2026, 11, 19, 11, 0), "answered")
        # Never answered: still open when the report is read.
        request(db, young, "question", "sms", at(2026, 11, 27, 10, 0), "open")
        # October: 23:30 on 31 October local is October, seen on 2 November 09:00.
        october = request(db, old, "visit", "sms", at(2026, 10, 31, 23, 30), "visited")
        event(db, october, at(2026, 11, 2, 9, 0), "visited")  # waited 1.40 days
        # 00:30 on 1 December local is 30 November in UTC: December, in neither month.
        request(db, young, "visit", "sms", at(2026, 12, 1, 0, 30), "new")
        # Another commune's November counts nowhere here.
        other = communes.create(db, "KHAC", "Xã Khác")
        stranger = resident(db, "+84912000009", commune_id=other.id)
        request(db, stranger, "visit", "sms", at(2026, 11, 15, 10, 0), "new", commune_id=other.id)
        # Messages: one guidance answer each side of the December line.
        message(db, "in", at(2026, 11, 30, 23, 50), "replied", intent="guidance")
        message(db, "in", at(2026, 12, 1, 0, 5), "replied", intent="guidance")
        for status in ("delivered", "sent", "queued"):
            message(db, "out", at(2026, 11, 11, 9, 0), status)
        message(db, "out", at(2026, 11, 11, 9, 0), "undelivered")
        call(db, "CA0001", at(2026, 11, 16, 10, 0))
        call(db, "CA0002", at(2026, 11, 1, 0, 30))
        call(db, "CA0003", at(2026, 11, 11, 9, 0), direction="outbound-callback")
    return communes.first_commune(db)


# Every figure of the November above, counted by hand.
NOVEMBER = {
    "contacts.sms": 5,
    "contacts.voice": 2,
    "contacts.staff": 1,
    "contacts.api": 1,
    "contacts.total": 9,
    "contacts.residents": 4,
    "visits.requested": 6,
    "visits.visited": 3,
    "visits.not_at_home": 1,
    "visits.cancelled": 1,
    "visits.open": 1,
    "waiting.median_days": 4.0,
    "waiting.p90_days": 10.0,
    "waiting.within_7_days": 2,
    "waiting.share_within_7_days": 40,  # 2 of the 5 not cancelled
    "people.age_75_plus": 2,
    "people.lives_alone": 1,
    "people.limited_mobility": 1,
    "questions.count": 3,
    "questions.answered": 2,
    "questions.median_hours_to_answer": 72.0,
    "questions.open_over_2_working_days": 2,
    "procedures.top": [("KHAISINH", "Đăng ký khai sinh", 2), ("KETHON", "Đăng ký kết hôn", 1)],
    "procedures.guidance_answers": 1,
    "delivery.sms_sent": 3,
    "delivery.sms_failed": 1,
    "delivery.calls": 2,
    "delivery.voicemails": 1,
}
