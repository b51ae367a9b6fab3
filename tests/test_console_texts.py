"""The console speaks Vietnamese everywhere and says what really happened."""

import csv
import io
import re

import pytest
import time_machine

from app import communes, trips
from app.delivery import log_lists
from tests.conftest import NIGHT_HOUR, signed_in_client
from tests.test_staff_pages import open_question, open_visit


def page_of(client, path, status=200):
    response = client.get(path)
    assert response.status_code == status, response.status_code
    return response.get_data(as_text=True)


def test_an_unknown_address_gets_the_consoles_own_page_with_its_menu(staff_client):
    page = page_of(staff_client, "/khong-co-trang-nay", 404)
    assert "Không tìm thấy trang" in page and "Werkzeug" not in page
    assert 'href="/trips"' in page and "Về hàng chờ" in page
    staff_client.post("/language", data={"lang": "en"})
    page = page_of(staff_client, "/khong-co-trang-nay", 404)
    assert "Page not found" in page and "Back to the queue" in page


def test_a_crash_shows_the_consoles_own_500_page_in_the_officers_language(app):
    app.config["PROPAGATE_EXCEPTIONS"] = False

    def broken():
        raise RuntimeError("boom")

    app.add_url_rule("/broken-for-test", "broken_for_test", broken)
    client = signed_in_client(app, "lan", "staff")
    page = page_of(client, "/broken-for-test", 500)
    assert "Có lỗi xảy ra" in page and "boom" not in page and "Traceback" not in page
    assert 'href="/"' in page


def test_machines_get_a_short_answer_not_a_page(client):
    response = client.get("/sms/no-such-hook")
    assert response.status_code == 404
    assert "Không tìm thấy trang" not in response.get_data(as_text=True)


def test_the_header_shows_the_communes_accented_name_and_a_vietnamese_product_name(
    staff_client,
):
    page = page_of(staff_client, "/")
    assert "Xã Phú Lâm" in page
    assert "Xa Phu Lam" not in page
    assert "Đường dây Ấp" not in page


def test_log_labels_are_past_tense_and_never_read_as_the_buttons(admin_client):
    admin_client.post(
        "/settings/users",
        data={"username": "hai", "password": "mot-mat-khau-dai", "role": "staff"},
    )
    page = page_of(admin_client, "/settings")
    assert ">Tạo tài khoản</button>" in page
    # The change log's "what" cell, not the flash ("Đã tạo tài khoản.") that also says so.
    assert '<td data-label="Việc gì">Đã tạo tài khoản</td>' in page
    assert page.count(">Tạo tài khoản<") == 1
    assert "(số tin/số giây)" in page


def test_received_as_a_status_and_as_a_column_read_differently(staff_client, db):
    question = open_question(db)
    db["messages"].insert(
        {
            "direction": "in",
            "phone": "+84909111222",
            "body": "Cho hỏi",
            "status": "received",
            "created_at": "2027-03-01T03:00:00Z",
        }
    )
    queue_page = page_of(staff_client, "/")
    assert ">Nhận lúc</th>" in queue_page
    messages_page = page_of(staff_client, "/messages")
    assert "Xã đã nhận" in messages_page
    assert "Chiều" not in messages_page
    assert question["ref"] in queue_page


def test_an_automatic_reply_is_not_called_an_answer(staff_client, db):
    db["messages"].insert(
        {
            "direction": "in",
            "phone": "+84909111222",
            "body": "Cho hỏi giấy khai tử",
            "status": "replied",
            "created_at": "2027-03-01T03:00:00Z",
        }
    )
    page = page_of(staff_client, "/messages")
    assert "Đã tự động trả lời" in page
    assert ">Đã trả lời<" not in page


def test_the_timeline_names_who_acted_in_vietnamese(staff_client, db):
    request = open_visit(db)
    page = page_of(staff_client, f"/requests/{request['id']}")
    assert "(người dân)" in page and "(hệ thống)" in page
    assert "(resident)" not in page and "(system)" not in page


def test_system_notes_on_the_timeline_read_in_vietnamese_with_dd_mm_dates(staff_client, db):
    request = open_visit(db)
    day = db.execute("SELECT date FROM trips WHERE id = ?", [request["trip_id"]]).fetchone()[0]
    page = page_of(staff_client, f"/requests/{request['id']}")
    assert f"trip {day}" not in page
    assert f"chuyến thứ Ba {day[8:10]}/{day[5:7]} · buổi sáng" in page


def test_the_trip_csv_has_vietnamese_headers_and_values(staff_client, db):
    request = open_visit(db, age_75_plus=1)
    response = staff_client.get(f"/trips/{request['trip_id']}.csv")
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:4] == ["STT", "Ấp", "Mã", "Người dân"]
    assert "Ưu tiên vì" in rows[0]
    assert rows[1][rows[0].index("Ưu tiên vì")] == "75+"
    assert rows[1][rows[0].index("Trạng thái")] == "Đã xếp chuyến"


def test_messages_held_by_quiet_hours_are_listed_and_the_reschedule_flash_says_when(app, db):
    with time_machine.travel(NIGHT_HOUR, tick=False):
        trips.ensure_trips(db)
        request = open_visit(db)
        staff_client = signed_in_client(app, "lan", "staff")
        later = next(
            trip["id"]
            for trip in trips.upcoming_for_hamlet(db, request["hamlet_id"], limit=3)
            if trip["id"] != request["trip_id"]
        )
        moved = staff_client.post(
            f"/requests/{request['id']}/trip", data={"trip_id": later}, follow_redirects=True
        )
        flash = moved.get_data(as_text=True)
        assert "tin nhắn sẽ gửi lúc 07:00" in flash
        held = log_lists.waiting_outbox(db, communes.first_commune(db), phone="+84912345678")
        assert held and all(row["status"] == "pending" for row in held)
        assert "Giữ đến 07:00" in page_of(staff_client, "/messages")
        assert "Giữ đến 07:00" in page_of(staff_client, f"/requests/{request['id']}")


@pytest.mark.parametrize(
    ("written", "stored"),
    [("7h30", "07:30"), ("07:30", "07:30"), ("18.15", "18:15"), ("6h", "06:00")],
)
def test_settings_accept_24_hour_times_as_officers_write_them(admin_client, db, written, stored):
    admin_client.post(
        "/settings/commune",
        data={
            "office_phone": "",
            "reminder_time": written,
            "quiet_start": "20:00",
            "quiet_end": "07:00",
            "sms_rate_limit": "10/600",
            "trip_weeks_ahead": "8",
        },
    )
    saved = db.execute("SELECT value FROM settings WHERE key = 'reminder_time'").fetchone()[0]
    assert saved == stored


def test_an_extra_trip_date_is_written_day_first(admin_client, db):
    hamlet = db.execute("SELECT id FROM hamlets WHERE code = 'PHUHOAA'").fetchone()[0]
    page = page_of(admin_client, "/settings")
    assert "ngày/tháng/năm" in page and "giờ:phút, 24 giờ" in page
    assert 'type="time"' not in page and 'type="date"' not in page
    admin_client.post(
        "/settings/trips/extra",
        data={
            "date": "15/12/2031",
            "session": "afternoon",
            "start_time": "13h30",
            "end_time": "16:00",
            "capacity": "4",
            "hamlet_ids": str(hamlet),
        },
    )
    trip = db.execute("SELECT date, session FROM trips WHERE is_extra = 1").fetchone()
    assert tuple(trip) == ("2031-12-15", "afternoon")


def test_the_catalogue_labels_each_sms_length_once(staff_client):
    page = page_of(staff_client, "/catalogue")
    assert "Các bước</span>" in page and "Giấy tờ</span>" in page
    procedure = page_of(staff_client, "/catalogue/CANCUOC")
    assert procedure.count("ký tự,") == procedure.count('class="counter"')


def test_the_numbers_page_legend_and_table_line_up(staff_client):
    page = page_of(staff_client, "/stats")
    assert 'class="swatch"' in page
    assert 'data-label="Đã đặt"' in page


def test_after_a_wrong_password_the_focus_is_on_the_password_with_no_resident_warning(app, client):
    app.config["WTF_CSRF_ENABLED"] = False
    page = client.get("/login").get_data(as_text=True)
    assert "OTP" not in page
    wrong = client.post("/login", data={"username": "lan", "password": "sai-mat-khau"})
    page = wrong.get_data(as_text=True)
    assert re.search(r'id="password"[^>]*autofocus', page)
    assert not re.search(r'id="username"[^>]*autofocus', page)


def test_the_catalogue_gives_the_phone_keys_a_caller_presses_and_the_sms_number(staff_client):
    page = page_of(staff_client, "/catalogue")
    assert ">1</td>" in page  # first group: the key alone
    assert "6, rồi 1" in page  # second group: "more", then the key
    assert "HD 1" in page
    assert ">10<" not in page and ">12<" not in page  # no key numbers the phone never offers


def test_the_staff_console_imports_nothing_from_the_voice_package():
    # The catalogue's phone keys come from app.catalogue.guidance, the one home of the menu's
    # paging.
    import ast
    from pathlib import Path

    staff = Path(__file__).resolve().parent.parent / "staff"
    sideways = []
    for module in sorted(staff.glob("*.py")):
        for node in ast.walk(ast.parse(module.read_text())):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            sideways += [f"{module.name}: {n}" for n in names if n.split(".")[0] == "voice"]
    assert sideways == []


@pytest.mark.parametrize(
    ("stored", "action", "shown"),
    [
        ("emergency", "attention", "Khẩn cấp"),
        ("busy", "callback_failed", "máy bận"),
        ("no-answer", "callback_failed", "không ai nghe máy"),
        ("no status callback (unknown)", "callback_failed", "nhà mạng không báo kết quả cuộc gọi"),
        ("no Twilio account", "callback_failed", "chưa cài tài khoản Twilio"),
        ("age_75_plus: yes; hamlet: Phú Lợi", "reported", "Từ 75 tuổi trở lên: có; ấp: Phú Lợi"),
    ],
)
def test_every_kind_of_system_note_reads_in_vietnamese(app, stored, action, shown):
    from staff.filters import note

    with app.test_request_context("/"):
        assert note(stored, action) == shown
