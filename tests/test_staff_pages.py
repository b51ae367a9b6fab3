"""Staff console pages: each one renders what staff need, for staff and admins alike."""

import re

import pytest

from app import lifecycle, residents
from app.catalogue import guidance
from app.delivery import outbox
from app.infra import clock
from app.request_queue import service_requests
from app.request_queue.asked import Asked

HOA = "+84912345678"


def hamlet_id(db, code):
    return db.execute("SELECT id FROM hamlets WHERE code = ?", [code]).fetchone()[0]


def open_visit(db, phone=HOA, hamlet="PHUHOAA", **fields):
    request, _ = service_requests.open_request(
        db,
        Asked(
            phone=phone,
            kind=lifecycle.VISIT,
            channel="sms",
            hamlet_id=hamlet_id(db, hamlet) if hamlet else None,
            description="Cài VNeID giúp",
            resident_fields=fields or None,
        ),
    )
    return request


def open_question(db, phone="+84909111222", text="Làm giấy khai tử cần gì?", **extra):
    request, _ = service_requests.open_request(
        db, Asked(phone=phone, kind=lifecycle.QUESTION, channel="sms", description=text)
    )
    if extra:
        db["requests"].update(request["id"], extra)
    return request


def text_of(response):
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


@pytest.mark.parametrize(
    "path",
    ["/", "/requests/new", "/trips", "/residents", "/messages", "/catalogue", "/stats"],
)
def test_every_staff_page_renders_for_an_officer(staff_client, path):
    page = text_of(staff_client.get(path))
    assert "<main" in page and "</html>" in page


def test_the_queue_lists_needs_attention_first(staff_client, db):
    question = open_question(db)
    voice = open_question(
        db,
        phone="+84987654321",
        text=None,
        recording_url="https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE1",
        channel="voice",
    )
    homeless = open_visit(db, phone="+84933444555", hamlet=None)
    flagged = residents.find_or_create(db, "+84971222333")
    residents.flag(db, flagged["id"], "sms rate limit")
    outbox.enqueue(db, HOA, "Xa Phu Lam: test", kind="answer", dedupe_key="t1")
    db.execute("UPDATE outbox SET status = 'failed', last_error = 'carrier rejected'")
    page = text_of(staff_client.get("/"))
    attention = page[page.index("Cần xử lý") : page.index("Các chuyến sắp tới")]
    for ref in (question["ref"], voice["ref"], homeless["ref"]):
        assert ref in attention
    assert "Tin nhắn thoại" in attention and "Câu hỏi mới" in attention
    assert "Yêu cầu chưa có ấp" in attention
    assert "carrier rejected" in attention
    assert "sms rate limit" in attention


def test_the_queue_shows_coming_trips_with_counts_and_room(staff_client, db):
    visit = open_visit(db)
    page = text_of(staff_client.get("/"))
    start = page.index("Các chuyến sắp tới")
    trips_block = page[start : page.index("</section>", start)]
    trip = db["trips"].get(visit["trip_id"] if "trip_id" in visit.keys() else None)
    assert f"/trips/{trip['id']}" in trips_block
    assert "còn 7 chỗ" in trips_block
    assert re.search(r"Phú Hòa A <strong>1</strong>", trips_block)


@pytest.mark.parametrize(
    "query, expect, refuse",
    [
        ("q=0912345678", "HOA", "BAY"),
        ("q=345678", "HOA", "BAY"),
        ("q=hoa", "HOA", "BAY"),
        ("q=Bảy", "BAY", "HOA"),
        ("hamlet=none", "BAY", "HOA"),
        ("kind=question", "Q", "HOA"),
        ("channel=staff", "BAY", "HOA"),
        ("status=cancelled", "BAY", "HOA"),
    ],
)
def test_queue_filters_and_search(staff_client, db, query, expect, refuse):
    refs = {}
    refs["HOA"] = open_visit(db, name="Nguyễn Thị Hoa")["ref"]
    bay, _ = service_requests.open_request(
        db,
        Asked(
            phone="+84987654321",
            kind=lifecycle.VISIT,
            channel="staff",
            actor_type="staff",
            resident_fields={"name": "Trần Văn Bảy"},
        ),
    )
    refs["BAY"] = bay["ref"]
    refs["Q"] = open_question(db, phone="+84909000001")["ref"]
    if "cancelled" in query:
        service_requests.cancel_request(db, bay["id"], actor_type="staff", actor="lan")
    page = text_of(staff_client.get("/?" + query))
    listing = page[page.index('id="list-h"') :]
    assert refs[expect] in listing
    assert refs[refuse] not in listing


def test_searching_a_reference_finds_that_request(staff_client, db):
    visit = open_visit(db)
    other = open_question(db)
    listing = text_of(staff_client.get("/?q=" + visit["ref"].lower()))
    assert visit["ref"] in listing and other["ref"] not in listing


def test_the_queue_pages_through_results(staff_client, db):
    stamp = clock.iso(clock.now())
    db["requests"].insert_all(
        {
            "ref": f"R{n:04d}",
            "kind": "question",
            "service_code": "QUESTION",
            "channel": "sms",
            "status": "open",
            "requested_at": f"2026-01-01T00:{n // 60:02d}:{n % 60:02d}Z",
            "updated_at": stamp,
        }
        for n in range(120)
    )
    # Open work of one kind comes first come, first served: the longest wait on top.
    first = text_of(staff_client.get("/"))
    assert "R0000" in first and "R0050" not in first and 'rel="next"' in first
    third = text_of(staff_client.get("/?page=3"))
    assert "R0100" in third and "R0119" in third and 'rel="next"' not in third


def test_the_request_page_shows_resident_timeline_and_thread(staff_client, db):
    from app.delivery import messages

    visit = open_visit(db, name="Nguyễn Thị Hoa", age_75_plus=1)
    messages.record_inbound(
        db, provider="twilio", provider_id="SM1", dedupe_key="twilio:SM1", phone=HOA, body="HEN"
    )
    messages.record_outbound(
        db, provider="twilio", phone=HOA, body="Xa Phu Lam: da nhan", status="delivered"
    )
    page = text_of(staff_client.get(f"/requests/{visit['id']}"))
    assert "Nguyễn Thị Hoa" in page and "0912 345 678" in page
    assert ">75+<" in page  # why she goes first, not a bare star
    assert "Đã tạo yêu cầu" in page and "Đã xếp vào chuyến" in page  # opened, assigned events
    assert "HEN" in page and "Xa Phu Lam: da nhan" in page and "Đã đến máy" in page


def test_a_voice_message_has_a_player_that_points_at_the_app(staff_client, db):
    voice = open_question(
        db, text=None, recording_url="https://api.twilio.com/x/Recordings/RE0123", channel="voice"
    )
    page = text_of(staff_client.get(f"/requests/{voice['id']}"))
    assert f'src="/requests/{voice["id"]}/recording"' in page
    assert "api.twilio.com" not in page


def test_a_missing_request_is_404(staff_client):
    assert staff_client.get("/requests/999999").status_code == 404


def test_the_trip_sheet_is_in_route_order_with_documents_and_markers(staff_client, db):
    tan_phu = open_visit(db, phone="+84909111222", hamlet="TANPHU")
    first = open_visit(db, phone="+84912000003", hamlet="PHUHOAA")
    db["requests"].update(first["id"], {"service_code": "CANCUOC"})
    vulnerable = open_visit(db, phone="+84912000004", hamlet="PHUHOAA", lives_alone=1)
    trip_id = db["requests"].get(first["id"])["trip_id"]
    page = text_of(staff_client.get(f"/trips/{trip_id}"))
    assert page.index(vulnerable["ref"]) < page.index(first["ref"])
    assert "một mình" in page[page.index(vulnerable["ref"]) - 600 : page.index(vulnerable["ref"])]
    for document in guidance.get(db, "CANCUOC")["documents"]:
        assert document in page
    assert tan_phu["ref"] not in page  # another day's trip
    assert 'type="radio"' in page and "Lưu kết quả" in page


def test_residents_search_and_profile(staff_client, db):
    visit = open_visit(db, name="Nguyễn Thị Hoa")
    listing = text_of(staff_client.get("/residents?q=nguyen thi"))
    assert "Nguyễn Thị Hoa" in listing
    assert "Nguyễn" not in text_of(staff_client.get("/residents?q=zzz")).split("<main")[1]
    profile = text_of(staff_client.get(f"/residents/{visit['resident_id']}"))
    assert visit["ref"] in profile and "Có nhận nhắc lịch" in profile
    residents.opt_out(db, visit["resident_id"])
    assert "Từ chối nhận tin" in text_of(staff_client.get(f"/residents/{visit['resident_id']}"))


def test_the_catalogue_lists_procedures_with_sms_lengths(staff_client):
    page = text_of(staff_client.get("/catalogue"))
    assert "/catalogue/VNEID" in page and "/160" in page
    edit = text_of(staff_client.get("/catalogue/VNEID"))
    assert "Xa Phu Lam:" in edit and 'data-sms-counter="sms_steps-counter"' in edit
    assert staff_client.get("/catalogue/NOPE").status_code == 404


def test_the_messages_page_lists_the_log_and_failures(staff_client, db):
    from app.delivery import messages

    messages.record_inbound(
        db, provider="twilio", provider_id="SM9", dedupe_key="twilio:SM9", phone=HOA, body="HOI"
    )
    outbox.enqueue(db, HOA, "Xa Phu Lam: loi", kind="answer", dedupe_key="t9")
    db.execute("UPDATE outbox SET status = 'failed', last_error = '30003 unreachable'")
    page = text_of(staff_client.get("/messages"))
    assert "HOI" in page and "30003 unreachable" in page and "Gửi lại" in page
    assert "HOI" not in text_of(staff_client.get("/messages?direction=out"))


SMS_STATUSES = ("received", "replied", "ignored", "queued", "accepted", "sending", "sent")
SMS_STATUSES += ("delivered", "read", "undelivered", "failed", "cancelled", "canceled")


def test_every_sms_status_in_the_message_log_is_shown_in_words(staff_client, db):
    from app.delivery import messages

    for number, status in enumerate(SMS_STATUSES, start=1):
        row, _ = messages.record_inbound(
            db,
            provider="twilio",
            provider_id=f"SM{number}",
            dedupe_key=f"twilio:SM{number}",
            phone=HOA,
            body=f"tin {number}",
        )
        db["messages"].update(row["id"], {"status": status})
    page = text_of(staff_client.get("/messages"))
    shown = re.findall(r'<span class="delivery status-(\w+)">([^<]*)</span>', page)
    assert {status for status, _words in shown} == set(SMS_STATUSES)
    assert all(words != status for status, words in shown), shown
    assert ("ignored", "Không trả lời") in shown


def test_the_numbers_page_draws_an_svg_chart(staff_client, db):
    open_visit(db)
    page = text_of(staff_client.get("/stats"))
    assert "<svg" in page and "<rect" in page and "Phú Hòa A" in page
    assert "Tỷ lệ lượt đến nhà hoàn thành" in page


def test_the_settings_page_shows_every_section_to_admins(admin_client, db):
    page = text_of(admin_client.get("/settings"))
    for anchor in ('id="hamlets"', 'id="rules"', 'id="trips"', 'id="users"', 'id="keys"'):
        assert anchor in page
    assert "Phú Hòa A" in page and "minh" in page


def test_the_walk_in_form_is_prefilled_from_a_resident(staff_client):
    page = text_of(staff_client.get("/requests/new?phone=%2B84912345678&name=Hoa"))
    assert 'value="+84912345678"' in page and 'value="Hoa"' in page


def test_pages_work_in_english_too(staff_client, db):
    open_visit(db)
    staff_client.post("/language", data={"lang": "en"})
    for path in ("/", "/trips", "/residents", "/messages", "/catalogue", "/stats"):
        page = text_of(staff_client.get(path))
        assert '<html lang="en">' in page
    assert "Coming trips" in text_of(staff_client.get("/"))


def test_every_event_action_the_domain_records_has_a_label():
    """A new action without a label would show as a raw code in a timeline or the change log."""
    import re
    from pathlib import Path

    from app.request_queue import recordings
    from staff.filters import ACTION_LABELS, AUDIT_LABELS

    root = Path(__file__).resolve().parent.parent
    source = "\n".join(
        path.read_text()
        for folder in ("app", "sms", "voice", "staff", "open311", "simulator")
        for path in (root / folder).rglob("*.py")
    )
    recorded = set(re.findall(r'record_event\(\s*db,\s*[^,]+,\s*"([a-z_]+)"', source))
    recorded |= set(re.findall(r'action="([a-z_]+)"', source))
    recorded |= set(re.findall(r'"(callback_[a-z]+)"', source)) - {"callback_requested"}
    recorded.discard("callback")
    if "recording_" in recorded:  # "recording_" + Twilio's status for a lost recording
        recorded.remove("recording_")
        recorded |= {"recording_" + status for status in recordings.MISSING_STATUSES}
    assert recorded, "the scan found no actions"
    # `action=` also names change-log entries (app.accounts.audit), which have their own labels.
    assert recorded - set(ACTION_LABELS) - set(AUDIT_LABELS) == set()
