"""Helpers for the console's browser tests: sign in, a trip under way today, page sizes."""

import datetime as dt
import re
from pathlib import Path

from playwright.sync_api import expect

from app import communes, lifecycle, residents
from app.infra import clock
from app.request_queue import service_requests
from app.request_queue.asked import Asked
from db import connect, transaction

JS = Path(__file__).parent / "js"
ROOT = Path(__file__).resolve().parent.parent.parent


def first_commune(database):
    """Bind the first commune, as the console edge does for its officers."""
    return communes.bound(communes.first_commune(database))


def script(name):
    """Return a page function from tests/browser/js/, without its comment lines."""
    lines = (JS / name).read_text().splitlines()
    return "\n".join(line for line in lines if not line.startswith("//")).strip()


SIZES = {"phone": {"width": 390, "height": 844}, "desk": {"width": 1366, "height": 768}}
# A resident's own words, as phones send them: composed, and decomposed (e + marks).
ACCENTED_NAME = "Nguyễn Văn Đức"
ACCENTED_WORDS = "Cho hỏi làm sổ đỏ, thửa đất của ông Nguyễn Văn Đức"
DECOMPOSED_WORDS = "Nguye\u0302\u0303n so\u0302\u0309 đo\u0309"


def sign_in(page, base_url, username, password, heading="Hàng chờ"):
    """Sign in through the login form and wait for the queue."""
    page.goto(base_url + "/")
    expect(page).to_have_url(re.compile(r"/login\?next="))
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("heading", name=heading, level=1)).to_be_visible()


def trip_under_way(live_server, days_ago=0):
    """Add a trip that started an hour ago with five visits in three hamlets; return its ids.

    With DAYS_AGO, the trip was that many days ago (its day is over).

    The visits are booked the usual way (open_request), then moved onto today's trip, as
    happens when staff move a request. One resident has no name and no landmark.
    """
    database = connect(live_server.db_path)
    people = [
        ("0912 345 678", "Phú Hòa A", "hẻm cạnh tiệm tạp hóa Bà Năm"),
        ("0358 765 432", "Phú Lợi", "nhà mái tôn xanh, sau chùa"),
        ("0987 654 321", "Phú Thuận B", "đối diện trạm y tế ấp"),
        ("0944 100 200", "Phú Thuận B", None),
        ("0944 100 300", "Phú Hòa A", "cầu khỉ thứ hai, rẽ trái"),
    ]
    with live_server.app.app_context(), transaction(database), first_commune(database):
        now = clock.now() - dt.timedelta(days=days_ago)
        today = clock.local_today() - dt.timedelta(days=days_ago)
        hamlet_ids = {
            name: hid for hid, name in database.execute("SELECT id, name FROM hamlets").fetchall()
        }
        trip_id = (
            database["trips"]
            .insert(
                {
                    "date": today.isoformat(),
                    "session": "morning",
                    "starts_at": clock.iso(now - dt.timedelta(hours=1)),
                    "ends_at": clock.iso(now + dt.timedelta(hours=3)),
                    "capacity": 8,
                    "status": "planned",
                    "is_extra": 1,
                    "created_at": clock.iso(now),
                    "created_by": "canbo",
                }
            )
            .last_pk
        )
        for name in ("Phú Hòa A", "Phú Lợi", "Phú Thuận B"):
            database["trip_hamlets"].insert({"trip_id": trip_id, "hamlet_id": hamlet_ids[name]})
        request_ids = []
        for phone, hamlet, landmark in people:
            resident = residents.find_or_create(database, phone)
            residents.update(
                database, resident["id"], hamlet_id=hamlet_ids[hamlet], landmark=landmark
            )
            request, _created = service_requests.open_request(
                database, Asked(phone=phone, kind=lifecycle.VISIT, channel="voice")
            )
            lifecycle.transition(
                database,
                request["id"],
                "scheduled",
                actor_type="staff",
                actor="canbo",
                action="moved",
                trip_id=trip_id,
                expected_datetime=clock.iso(now - dt.timedelta(hours=1)),
            )
            request_ids.append(request["id"])
    database.conn.close()
    return trip_id, request_ids


def resident_wrote(live_server, phone, body):
    """Store an inbound SMS from PHONE as the webhook would, with a question request."""
    from app.delivery import messages

    database = connect(live_server.db_path)
    with live_server.app.app_context(), transaction(database), first_commune(database):
        resident = residents.find_or_create(database, phone)
        message, _new = messages.record_inbound(
            database,
            provider="twilio",
            provider_id=f"SM{abs(hash(body)) % 10**30:030d}",
            dedupe_key=f"test:{phone}:{body}",
            phone=resident["phone"],
            body=body,
            resident_id=resident["id"],
        )
        request, _created = service_requests.open_request(
            database, Asked(phone=phone, kind=lifecycle.QUESTION, channel="sms", description=body)
        )
        messages.classify(database, message["id"], intent="question", request_id=request["id"])
    database.conn.close()
    return request["id"]


def busy_commune(live_server):
    """Put on the live server what a busy morning leaves for officers to see; return its ids.

    A trip under way, a question, an emergency, an SMS that failed after two attempts, a
    text from a short code, a gateway phone silent for two hours (the red banner, with quiet
    hours moved away from now so it shows at any hour), and an account with a given password.
    """
    from app.accounts import users
    from app.delivery import messages, outbox
    from app.request_queue import attention

    trip_id, visits = trip_under_way(live_server)
    question = resident_wrote(live_server, "0912 345 678", "Cho hỏi làm sổ đỏ cần gì?")
    database = connect(live_server.db_path)
    live_server.app.config["SMS_GATEWAY_SIGNING_KEY"] = "browser-test-signing-key"
    with live_server.app.app_context(), transaction(database), first_commune(database):
        now = clock.now()
        local = clock.to_local(now)
        for key, hours in (("quiet_start", 3), ("quiet_end", 4)):
            value = (local + dt.timedelta(hours=hours)).strftime("%H:%M")
            database["settings"].upsert(
                {"commune_id": 1, "key": key, "value": value}, pk=("commune_id", "key")
            )
        database.execute(
            "UPDATE gateway_state SET last_seen_at = ?, last_event = 'ping' WHERE id = 1",
            [clock.iso(now - dt.timedelta(hours=2))],
        )
        resident = residents.find_or_create(database, "0358 111 222")
        urgent = attention.for_a_person(
            database,
            resident=resident,
            words="Cứu với, ông nhà tôi bị ngã không dậy được",
            reason=attention.EMERGENCY,
        )
        failed = outbox.enqueue(
            database, "+84358111222", "Xa Phu Lam: lich den nha 15/12 buoi sang.", kind="answer"
        )
        database["outbox"].update(
            failed["id"], {"status": "failed", "attempts": 2, "last_error": "30003 Unreachable"}
        )
        for attempt, outcome in ((1, "error"), (2, "error")):
            database["outbox_attempts"].insert(
                {
                    "outbox_id": failed["id"],
                    "attempt": attempt,
                    "at": clock.iso(now - dt.timedelta(minutes=10 * (3 - attempt))),
                    "action": "send",
                    "outcome": outcome,
                    "detail": "30003 Unreachable destination handset",
                }
            )
        promo, _new = messages.record_inbound(
            database,
            provider="twilio",
            provider_id="SM" + "7" * 32,
            dedupe_key="test:promo",
            phone="VIETTEL",
            body="KM: Nap the 100K tang 50% gia tri",
        )
        database["messages"].update(promo["id"], {"intent": "bad_sender"})
        users.create_user(
            database,
            "moi",
            "mat-khau-tam-thoi",
            display_name="Cán bộ mới",
            must_change_password=True,
            commune=communes.first_commune(database),
        )
    database.conn.close()
    return {"trip_id": trip_id, "visits": visits, "question": question, "urgent": urgent["id"]}


def console_pages(walk):
    """Every console page an officer can open, by name, with the data of busy_commune."""
    return {
        "queue": "/",
        "queue-search": "/?q=hoa",
        "request-visit": f"/requests/{walk['visits'][0]}",
        "request-question": f"/requests/{walk['question']}",
        "request-urgent": f"/requests/{walk['urgent']}",
        "walk-in": "/requests/new",
        "trips": "/trips",
        "trip-sheet": f"/trips/{walk['trip_id']}",
        "field": f"/trips/{walk['trip_id']}/field",
        "residents": "/residents",
        "resident": "/residents/1",
        "messages": "/messages",
        "catalogue": "/catalogue",
        "procedure": "/catalogue/CANCUOC",
        "prompts": "/prompts",
        "numbers": "/stats",
        "phone-numbers": "/numbers",
        "settings": "/settings",
        "password": "/password",
        "not-found": "/khong-co-trang-nay",
    }
