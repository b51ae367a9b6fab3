"""Staff console actions: each POST changes state through the domain and names the officer."""

import csv
import datetime as dt
import io

import pytest

from app import communes, lifecycle, residents
from app.accounts import apikeys, memberships, users
from app.catalogue import guidance
from app.delivery import outbox
from app.infra import clock
from app.infra.config import LOCAL_ACCOUNT_SID
from tests.conftest import TEST_AUTH_TOKEN
from tests.fakes.twilio_api import FakeTwilioAPI
from tests.test_console_field import trip_today, visit_on
from tests.test_staff_pages import HOA, hamlet_id, open_question, open_visit

# Visits are marked on their trip's day, and extra trips are added days from today.
pytestmark = pytest.mark.usefixtures("monday_morning")


def last_event(db, request_id):
    return lifecycle.events(db, request_id)[-1]


def flashes(client):
    return client.get("/").get_data(as_text=True)


def outbox_kinds(db, request_id):
    return [row["kind"] for row in db["outbox"].rows_where("request_id = ?", [request_id])]


def future_trips(db, hamlet_code):
    return list(
        db.query(
            "SELECT t.* FROM trips t JOIN trip_hamlets th ON th.trip_id = t.id"
            " WHERE th.hamlet_id = ? AND t.status = 'planned' AND t.starts_at > ?"
            " ORDER BY t.starts_at",
            [hamlet_id(db, hamlet_code), clock.iso(clock.now())],
        )
    )


def test_mark_visited_records_the_officer_and_note_and_thanks_the_resident(staff_client, db):
    visit = visit_on(db, trip_today(db))
    response = staff_client.post(
        f"/requests/{visit['id']}/visited", data={"note": "Đã cài xong", "confirmed": "1"}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == f"/requests/{visit['id']}"
    assert lifecycle.get(db, visit["id"])["status"] == "visited"
    event = last_event(db, visit["id"])
    assert (event["action"], event["actor"], event["actor_type"], event["note"]) == (
        "visited",
        "lan",
        "staff",
        "Đã cài xong",
    )
    assert "visited" in outbox_kinds(db, visit["id"])


def test_mark_unreachable(staff_client, db):
    visit = visit_on(db, trip_today(db))
    staff_client.post(f"/requests/{visit['id']}/unreachable", data={"note": "Vắng nhà"})
    assert lifecycle.get(db, visit["id"])["status"] == "unreachable"
    assert last_event(db, visit["id"])["actor"] == "lan"
    assert "unreachable" in outbox_kinds(db, visit["id"])


def test_an_impossible_change_is_refused_with_a_message(staff_client, db):
    question = open_question(db)
    response = staff_client.post(
        f"/requests/{question['id']}/visited", data={"confirmed": "1"}, follow_redirects=True
    )
    assert "Không thể đổi như vậy" in response.get_data(as_text=True)
    assert lifecycle.get(db, question["id"])["status"] == "open"


def test_cancel_with_notice_tells_the_resident(staff_client, db):
    visit = open_visit(db)
    staff_client.post(
        f"/requests/{visit['id']}/cancel", data={"note": "Đã tự lên xã", "notify": "1"}
    )
    row = lifecycle.get(db, visit["id"])
    assert row["status"] == "cancelled" and row["status_notes"] == "Đã tự lên xã"
    assert last_event(db, visit["id"])["actor"] == "lan"
    assert "cancelled" in outbox_kinds(db, visit["id"])


def test_closing_a_question_without_notice_sends_nothing(staff_client, db):
    question = open_question(db)
    staff_client.post(f"/requests/{question['id']}/cancel", data={"note": "trùng"})
    assert lifecycle.get(db, question["id"])["status"] == "closed"
    assert outbox_kinds(db, question["id"]) == []


def test_move_to_another_trip_uses_the_trip_engine_and_notifies(staff_client, db):
    visit = open_visit(db)
    later = future_trips(db, "PHUHOAA")[1]
    response = staff_client.post(f"/requests/{visit['id']}/trip", data={"trip_id": later["id"]})
    assert response.status_code == 302
    row = lifecycle.get(db, visit["id"])
    assert row["trip_id"] == later["id"] and row["expected_datetime"] == later["starts_at"]
    event = last_event(db, visit["id"])
    assert (event["action"], event["actor"]) == ("moved", "lan")
    assert "rescheduled" in outbox_kinds(db, visit["id"])


def test_moving_to_a_trip_that_does_not_serve_the_hamlet_is_refused(staff_client, db):
    visit = open_visit(db)
    other = future_trips(db, "TANPHU")[0]
    page = staff_client.post(
        f"/requests/{visit['id']}/trip", data={"trip_id": other["id"]}, follow_redirects=True
    ).get_data(as_text=True)
    assert "flash-error" in page
    assert lifecycle.get(db, visit["id"])["trip_id"] != other["id"]


def test_setting_the_hamlet_places_the_visit_on_a_trip(staff_client, db):
    visit = open_visit(db, hamlet=None)
    assert visit["trip_id"] is None
    staff_client.post(
        f"/requests/{visit['id']}/hamlet", data={"hamlet_id": hamlet_id(db, "LONGHAU")}
    )
    row = lifecycle.get(db, visit["id"])
    assert row["hamlet_id"] == hamlet_id(db, "LONGHAU") and row["status"] == "scheduled"
    assert residents.get(db, row["resident_id"])["hamlet_id"] == hamlet_id(db, "LONGHAU")
    actions = [(e["action"], e["actor"]) for e in lifecycle.events(db, visit["id"])]
    assert ("hamlet_set", "lan") in actions
    assert "confirmation" in outbox_kinds(db, visit["id"])


def test_answering_a_question_sends_the_unaccented_sms(staff_client, db):
    question = open_question(db)
    answer = "Mang giấy chứng tử và căn cước đến xã."
    staff_client.post(
        f"/requests/{question['id']}/answer", data={"answer": answer, "action": "send"}
    )
    assert lifecycle.get(db, question["id"])["status"] == "answered"
    sent = list(db["outbox"].rows_where("request_id = ?", [question["id"]]))
    assert [row["body"] for row in sent] == ["Xa Phu Lam: Mang giay chung tu va can cuoc den xa."]
    assert last_event(db, question["id"])["actor"] == "lan"


def test_the_answer_preview_shows_the_phone_rendering_and_warnings(staff_client, db):
    question = open_question(db)
    long_answer = "Ông bà mang giấy tờ đến xã. " * 8
    page = staff_client.post(
        f"/requests/{question['id']}/answer", data={"answer": long_answer, "action": "preview"}
    ).get_data(as_text=True)
    assert "Xa Phu Lam: Ong ba mang giay to den xa." in page
    assert "Dấu sẽ bị bỏ" in page and "Dài hơn một tin nhắn" in page
    assert lifecycle.get(db, question["id"])["status"] == "open"


def test_a_long_answer_is_sent_with_a_warning(staff_client, db):
    question = open_question(db)
    response = staff_client.post(
        f"/requests/{question['id']}/answer",
        data={"answer": "a" * 200, "action": "send"},
        follow_redirects=True,
    )
    assert "chiếm 2 tin nhắn" in response.get_data(as_text=True)


def test_call_back_queues_a_call_in_the_officers_name(staff_client, db):
    visit = open_visit(db)
    staff_client.post(f"/requests/{visit['id']}/callback")
    callbacks = list(db["callbacks"].rows)
    assert [(c["phone"], c["request_id"], c["requested_by"]) for c in callbacks] == [
        (HOA, visit["id"], "lan")
    ]
    assert ("callback_requested", "lan") in [
        (e["action"], e["actor"]) for e in lifecycle.events(db, visit["id"])
    ]


@pytest.fixture
def fake_twilio(app):
    with FakeTwilioAPI(LOCAL_ACCOUNT_SID, TEST_AUTH_TOKEN) as fake:
        app.config["TWILIO_ACCOUNT_SID"] = LOCAL_ACCOUNT_SID
        app.config["TWILIO_API_BASE_URL"] = fake.base_url
        yield fake


def test_the_voice_message_is_streamed_through_the_app(staff_client, db, fake_twilio):
    sid = "RE" + "a" * 32
    fake_twilio.add_recording(sid, b"ID3-fake-mp3")
    question = open_question(
        db,
        text=None,
        channel="voice",
        recording_url=f"https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/{sid}",
    )
    response = staff_client.get(f"/requests/{question['id']}/recording")
    assert response.status_code == 200 and response.data == b"ID3-fake-mp3"
    assert response.headers["Cache-Control"] == "private, no-store"


def test_a_recording_the_provider_lost_is_a_502_not_a_crash(staff_client, db, fake_twilio):
    question = open_question(
        db, text=None, recording_url="https://api.twilio.com/x/Recordings/RE" + "b" * 32
    )
    assert staff_client.get(f"/requests/{question['id']}/recording").status_code == 502
    assert (
        staff_client.get(
            f"/requests/{open_question(db, phone='+84912000009')['id']}/recording"
        ).status_code
        == 404
    )


def test_walk_in_opens_a_visit_through_the_shared_domain_path(staff_client, db):
    response = staff_client.post(
        "/requests/new",
        data={
            "kind": "visit",
            "phone": "0912 000 777",
            "name": "Lê Văn Tám",
            "hamlet_id": hamlet_id(db, "PHULOI"),
            "service_code": "HUUTRI",
            "description": "Hỏi trợ cấp",
            "age_75_plus": "1",
        },
    )
    assert response.status_code == 302
    resident = residents.by_phone(db, "+84912000777")
    assert (resident["name"], resident["age_75_plus"]) == ("Lê Văn Tám", 1)
    request = list(db["requests"].rows_where("resident_id = ?", [resident["id"]]))[0]
    assert (
        request["channel"],
        request["service_code"],
        request["status"],
        request["priority"],
    ) == (
        "staff",
        "HUUTRI",
        "scheduled",
        1,
    )
    first = lifecycle.events(db, request["id"])[0]
    assert (first["action"], first["actor_type"], first["actor"]) == ("opened", "staff", "lan")
    assert "confirmation" in outbox_kinds(db, request["id"])


def test_walk_in_shows_errors_for_a_bad_phone_and_keeps_the_input(staff_client, db):
    response = staff_client.post(
        "/requests/new", data={"kind": "question", "phone": "12", "name": "Tám"}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Nhập số điện thoại hợp lệ" in page and "Hãy ghi lại câu hỏi" in page
    assert 'value="Tám"' in page
    assert db["requests"].count == 0


def test_walk_in_for_a_resident_with_an_open_visit_points_to_it(staff_client, db):
    visit = open_visit(db)
    response = staff_client.post("/requests/new", data={"kind": "visit", "phone": HOA})
    assert response.headers["Location"] == f"/requests/{visit['id']}"


def test_a_walk_in_that_marks_the_resident_vulnerable_raises_their_open_visit(staff_client, db):
    visit = open_visit(db)
    assert visit["priority"] == 0
    staff_client.post("/requests/new", data={"kind": "visit", "phone": HOA, "lives_alone": "1"})
    assert residents.by_phone(db, HOA)["lives_alone"] == 1
    assert lifecycle.get(db, visit["id"])["priority"] == 1
    assert last_event(db, visit["id"])["action"] == "resident_updated"


def test_resident_profile_edit_and_flag_clearing(staff_client, db):
    visit = open_visit(db)
    resident_id = visit["resident_id"]
    residents.flag(db, resident_id, "sms rate limit")
    staff_client.post(
        f"/residents/{resident_id}",
        data={
            "name": "Nguyễn Thị Hoa",
            "hamlet_id": hamlet_id(db, "PHUDONG"),
            "language": "en",
            "birth_year": "1941",
            "lives_alone": "1",
        },
    )
    row = residents.get(db, resident_id)
    assert (row["name"], row["hamlet_id"], row["language"], row["birth_year"]) == (
        "Nguyễn Thị Hoa",
        hamlet_id(db, "PHUDONG"),
        "en",
        1941,
    )
    assert (row["lives_alone"], row["age_75_plus"], row["limited_mobility"]) == (1, 0, 0)
    # The open visit now counts as vulnerable, and its timeline names the officer's edit.
    assert lifecycle.get(db, visit["id"])["priority"] == 1
    event = last_event(db, visit["id"])
    assert (event["action"], event["actor"]) == ("resident_updated", "lan")
    assert "lives_alone" in event["note"] and "hamlet_id" in event["note"]
    staff_client.post(f"/residents/{resident_id}/clear-flag")
    assert residents.get(db, resident_id)["flagged_at"] is None


def test_catalogue_save_updates_the_procedure(admin_client, db):
    procedure = guidance.get(db, "SAOY")
    form = {
        "name": procedure["name"],
        "summary": "Tóm tắt mới",
        "steps": "Bước một\nBước hai\n",
        "documents": "Bản chính\n",
        "synonyms": "saoy, chung thuc",
        "sms_steps": "Mang ban chinh den xa.",
        "active": "1",
        "action": "save",
    }
    admin_client.post("/catalogue/SAOY", data=form)
    saved = guidance.get(db, "SAOY")
    # The texts are the commune's own; the keywords stay the province's.
    assert (saved["summary"], saved["steps"], saved["documents"], saved["synonyms"]) == (
        "Tóm tắt mới",
        ["Bước một", "Bước hai"],
        ["Bản chính"],
        procedure["synonyms"],
    )
    assert guidance.province_procedure(db, "SAOY")["summary"] == procedure["summary"]


def test_catalogue_warns_before_saving_an_sms_longer_than_one_segment(admin_client, db):
    procedure = guidance.get(db, "SAOY")
    form = {"name": procedure["name"], "sms_steps": "Mang giấy tờ đến xã. " * 10, "action": "save"}
    page = admin_client.post("/catalogue/SAOY", data=form).get_data(as_text=True)
    assert "Vẫn lưu" in page and "Có tin nhắn dài hơn một tin" in page
    assert guidance.get(db, "SAOY")["sms_steps"] == procedure["sms_steps"]
    admin_client.post("/catalogue/SAOY", data={**form, "confirm_long": "1"})
    assert guidance.get(db, "SAOY")["sms_steps"] == form["sms_steps"].strip()


def test_catalogue_preview_renders_the_sms_without_saving(staff_client, db):
    before = guidance.get(db, "SAOY")
    page = staff_client.post(
        "/catalogue/SAOY",
        data={"name": before["name"], "sms_steps": "Đem bản chính", "action": "preview"},
    ).get_data(as_text=True)
    assert "Xa Phu Lam: Dem ban chinh" in page
    assert guidance.get(db, "SAOY") == before


def test_bulk_results_after_the_trip(staff_client, db):
    trip = trip_today(db)
    one = visit_on(db, trip)
    two = visit_on(db, trip, phone="+84912000002")
    three = visit_on(db, trip, phone="+84912000003")
    trip_id = trip["id"]
    staff_client.post(
        f"/trips/{trip_id}/results",
        data={
            "confirm": "1",
            f"result-{one['id']}": "visited",
            f"note-{one['id']}": "xong",
            f"result-{two['id']}": "unreachable",
        },
    )
    statuses = [lifecycle.get(db, r["id"])["status"] for r in (one, two, three)]
    assert statuses == ["visited", "unreachable", "scheduled"]
    assert (last_event(db, one["id"])["actor"], last_event(db, one["id"])["note"]) == (
        "lan",
        "xong",
    )


def test_the_trip_sheet_exports_csv(staff_client, db):
    visit = open_visit(db, name="Nguyễn Thị Hoa", age_75_plus=1)
    trip_id = lifecycle.get(db, visit["id"])["trip_id"]
    response = staff_client.get(f"/trips/{trip_id}.csv")
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:5] == ["STT", "Ấp", "Mã", "Người dân", "Điện thoại"]
    assert rows[1][:5] == ["1", "Phú Hòa A", visit["ref"], "Nguyễn Thị Hoa", "0912 345 678"]
    assert rows[1][8] == "75+"


def test_retrying_a_failed_message_requeues_it(staff_client, db):
    visit = open_visit(db)
    outbox.enqueue(db, HOA, "Xa Phu Lam: hen", kind="answer", request_id=visit["id"])
    db.execute("UPDATE outbox SET status = 'failed', last_error = 'boom'")
    row = list(db["outbox"].rows_where("request_id = ?", [visit["id"]]))[0]
    assert staff_client.post(f"/messages/outbox/{row['id']}/retry").status_code == 302
    assert outbox.get(db, row["id"])["status"] == "pending"
    assert (last_event(db, visit["id"])["action"], last_event(db, visit["id"])["actor"]) == (
        "sms_retry",
        "lan",
    )
    again = staff_client.post(f"/messages/outbox/{row['id']}/retry", follow_redirects=True)
    assert "Không gửi lại được" in again.get_data(as_text=True)
    assert staff_client.post("/messages/outbox/99999/retry").status_code == 404


def test_admin_edits_a_hamlet_and_which_rules_serve_it(admin_client, db):
    rules = list(db.query("SELECT * FROM schedule_rules ORDER BY weekday"))
    tuesday, thursday = rules[0]["id"], rules[1]["id"]
    hamlet = hamlet_id(db, "PHUHOAA")
    admin_client.post(
        f"/settings/hamlets/{hamlet}",
        data={"name": "Phú Hòa A", "route_order": "3", "active": "1", "rule_ids": [str(thursday)]},
    )
    served = {r["rule_id"] for r in db["rule_hamlets"].rows_where("hamlet_id = ?", [hamlet])}
    assert served == {thursday}
    assert tuesday not in served
    assert db["hamlets"].get(hamlet)["route_order"] == 3


def test_admin_adds_a_hamlet_and_duplicates_are_refused(admin_client, db):
    admin_client.post(
        "/settings/hamlets", data={"name": "Phú Mỹ", "route_order": "11", "active": "1"}
    )
    assert db.execute("SELECT name FROM hamlets WHERE code = 'PHUMY'").fetchone() == ("Phú Mỹ",)
    page = admin_client.post(
        "/settings/hamlets", data={"name": "Phu My", "active": "1"}, follow_redirects=True
    ).get_data(as_text=True)
    assert "tên này đã có" in page


def test_admin_adds_a_schedule_rule(admin_client, db):
    admin_client.post(
        "/settings/rules",
        data={
            "weekday": "4",
            "session": "afternoon",
            "start_time": "13:30",
            "end_time": "16:30",
            "capacity": "6",
            "hamlet_ids": [str(hamlet_id(db, "PHUTAY"))],
            "active": "1",
        },
    )
    rule = db.execute(
        "SELECT weekday, session, capacity, updated_by FROM schedule_rules WHERE weekday = 4"
    ).fetchone()
    assert rule == (4, "afternoon", 6, "minh")


def test_a_bad_rule_is_refused_with_the_reason(admin_client, db):
    page = admin_client.post(
        "/settings/rules",
        data={
            "weekday": "4",
            "session": "morning",
            "start_time": "11:00",
            "end_time": "09:00",
            "capacity": "6",
            "hamlet_ids": ["1"],
        },
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "Chưa lưu" in page
    # The domain's reason is shown in the officer's language, with its values filled in.
    assert "giờ kết thúc phải sau giờ bắt đầu (11:00–09:00)" in page
    assert db.execute("SELECT count(*) FROM schedule_rules").fetchone()[0] == 2


def test_admin_cancels_a_trip_and_its_visits_move(admin_client, db):
    visit = open_visit(db)
    trip_id = lifecycle.get(db, visit["id"])["trip_id"]
    admin_client.post(f"/settings/trips/{trip_id}/cancel", data={"note": "Nước ngập"})
    trip = db["trips"].get(trip_id)
    assert (trip["status"], trip["cancelled_by"]) == ("cancelled", "minh")
    assert lifecycle.get(db, visit["id"])["trip_id"] != trip_id


def test_admin_adds_an_extra_trip(admin_client, db):
    day = clock.local_today() + dt.timedelta(days=2)
    admin_client.post(
        "/settings/trips/extra",
        data={
            "date": day.isoformat(),
            "session": "afternoon",
            "start_time": "14:00",
            "end_time": "16:00",
            "capacity": "4",
            "hamlet_ids": [str(hamlet_id(db, "PHULOI"))],
        },
    )
    extra = list(db["trips"].rows_where("is_extra = 1"))
    assert [(t["date"], t["capacity"], t["created_by"]) for t in extra] == [
        (day.isoformat(), 4, "minh")
    ]


def test_admin_manages_staff_accounts(admin_client, db):
    admin_client.post(
        "/settings/users",
        data={
            "username": "hanh",
            "display_name": "Chị Hạnh",
            "role": "staff",
            "password": "mat-khau-dai",
        },
    )
    hanh = users.by_username(db, "hanh")
    assert (hanh["display_name"], hanh["role"], hanh["active"]) == ("Chị Hạnh", "staff", 1)
    admin_client.post(
        f"/settings/users/{hanh['id']}", data={"role": "admin", "password": "mat-khau-moi-1"}
    )
    assert memberships.role_in(db, hanh["id"], communes.first_commune(db).id) == "admin"
    assert users.by_username(db, "hanh")["active"] == 0  # the box was not ticked
    assert users.check_password(db, "hanh", "mat-khau-moi-1") is None  # inactive now
    db["staff_users"].update(hanh["id"], {"active": 1})
    assert users.check_password(db, "hanh", "mat-khau-moi-1")


def test_an_admin_cannot_demote_themselves(admin_client, db):
    me = users.by_username(db, "minh")
    page = admin_client.post(
        f"/settings/users/{me['id']}", data={"role": "staff", "active": "1"}, follow_redirects=True
    ).get_data(as_text=True)
    assert users.by_username(db, "minh")["role"] == "admin"
    assert "bạn không thể tự bỏ quyền quản trị" in page


def test_admin_creates_an_api_key_shown_once_and_revokes_it(admin_client, db):
    page = admin_client.post("/settings/api-keys", data={"name": "Tỉnh"}).get_data(as_text=True)
    key = page.split('<code class="key">')[1].split("</code>")[0]
    assert apikeys.verify(db, key)
    assert key not in admin_client.get("/settings").get_data(as_text=True)
    key_id = apikeys.all_keys(db, communes.first_commune(db))[0]["id"]
    admin_client.post(f"/settings/api-keys/{key_id}/revoke")
    assert apikeys.verify(db, key) is None


def test_admin_saves_the_commune_settings(admin_client, db):
    admin_client.post(
        "/settings/commune",
        data={
            "office_phone": "02963123456",
            "reminder_time": "16:30",
            "quiet_start": "21:00",
            "quiet_end": "06:30",
            "sms_rate_limit": "8/600",
            "trip_weeks_ahead": "6",
        },
    )
    stored = dict(db.execute("SELECT key, value FROM settings").fetchall())
    assert {key: stored[key] for key in ("office_phone", "reminder_time", "quiet_start")} == {
        "office_phone": "0296 3123 456",
        "reminder_time": "16:30",
        "quiet_start": "21:00",
    }
    assert (stored["quiet_end"], stored["sms_rate_limit"], stored["trip_weeks_ahead"]) == (
        "06:30",
        "8/600",
        "6",
    )


@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        ("office_phone", "goi xa", "không phải là số điện thoại"),
        ("reminder_time", "25:00", "không đúng dạng GG:PP"),
        ("sms_rate_limit", "10", "phải có dạng 10/600"),
        ("trip_weeks_ahead", "99", "từ 1 đến 26 tuần"),
    ],
)
def test_bad_commune_settings_are_refused_whole_with_the_reason(
    admin_client, db, field, value, reason
):
    before = dict(db.execute("SELECT key, value FROM settings").fetchall())
    form = {"office_phone": "0296 3123 456", "reminder_time": "16:00", field: value}
    page = admin_client.post("/settings/commune", data=form, follow_redirects=True)
    assert reason in page.get_data(as_text=True)
    assert dict(db.execute("SELECT key, value FROM settings").fetchall()) == before


def test_staff_cannot_change_the_commune_settings(staff_client, db):
    response = staff_client.post("/settings/commune", data={"office_phone": "0912345678"})
    assert response.status_code == 403
    assert db.execute("SELECT value FROM settings WHERE key = 'office_phone'").fetchone()[0] == ""


def test_admin_changes_are_in_the_change_log_with_the_officer(admin_client, db):
    admin_client.post("/settings/commune", data={"office_phone": "02963123456"})
    admin_client.post("/settings/api-keys", data={"name": "Tỉnh An Giang"})
    admin_client.post("/settings/commune", data={"reminder_time": "99:99"})  # refused
    logged = [
        (row["actor"], row["action"], row["target"])
        for row in db.query("SELECT * FROM audit_log ORDER BY id")
    ]
    assert logged == [
        ("minh", "commune_settings", "office_phone=02963123456"),
        ("minh", "api_key_created", "Tỉnh An Giang"),
    ]
    page = admin_client.get("/settings").get_data(as_text=True)
    assert "Nhật ký thay đổi" in page and "Đã tạo khóa API" in page


def test_a_procedure_save_is_in_the_change_log(admin_client, db):
    procedure = guidance.get(db, "SAOY")
    admin_client.post(
        "/catalogue/SAOY",
        data={
            "name": procedure["name"],
            "summary": procedure["summary"],
            "steps": "\n".join(procedure["steps"]),
            "documents": "\n".join(procedure["documents"]),
            "synonyms": ", ".join(procedure["synonyms"]),
            "sms_steps": "Mang ban chinh den xa.",
            "sms_documents": procedure["sms_documents"],
            "active": "1",
            "action": "save",
        },
    )
    [row] = db.query("SELECT actor, action, target FROM audit_log")
    assert row == {"actor": "minh", "action": "procedure_saved", "target": "SAOY"}
