"""The province's page and a commune's monthly report: who may read them, and what they show."""

import re

import flask_babel
import pytest
import time_machine

from app.reports import layout
from db import connect
from tests.conftest import signed_in_client
from tests.report_month import READ_AT, build_november


@pytest.fixture(autouse=True)
def read_in_december():
    with time_machine.travel(READ_AT, tick=False):
        yield


@pytest.fixture
def november(db):
    return build_november(db)


def _grant(app, username, *, province=False, admin_of=None):
    with app.app_context():
        database = connect(app.config["DATABASE_PATH"])
        user_id = database.execute(
            "SELECT id FROM staff_users WHERE username = ?", [username]
        ).fetchone()[0]
        with database.conn:
            database.execute(
                "UPDATE staff_users SET province = ? WHERE id = ?", [province, user_id]
            )
            database.execute("DELETE FROM memberships WHERE user_id = ?", [user_id])
            if admin_of:
                database.execute(
                    "INSERT INTO memberships (user_id, commune_id, role) VALUES (?, ?, 'admin')",
                    [user_id, admin_of],
                )
        database.conn.close()


@pytest.fixture
def province_client(app):
    client = signed_in_client(app, "tinh", "staff")
    _grant(app, "tinh", province=True)
    return client


@pytest.fixture
def commune_admin(app):
    client = signed_in_client(app, "chu", "admin")
    _grant(app, "chu", admin_of=1)
    return client


def _text(response):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))


def test_the_province_sees_every_commune_with_figures_and_no_resident(
    province_client, db, november
):
    response = province_client.get("/province?month=2026-11")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Xã Phú Lâm" in page and "Xã Khác" in page
    assert "<svg" in page
    # Fewer than 10 requests in November each: shown, never ranked.
    assert page.count('class="unranked"') == 2
    assert "+849" not in page
    audited = db.execute("SELECT count(*) FROM audit_log WHERE action = 'report_read'").fetchone()
    assert audited[0] == 2  # one line in each commune's log


def test_a_commune_with_ten_requests_is_ranked_and_sorting_moves_it(province_client, db, november):
    from tests.report_month import at, request, resident

    with db.conn:
        for n in range(5):
            someone = resident(db, f"+8491200010{n}")
            request(db, someone, "question", "sms", at(2026, 11, 3, 9, n), "open")
    page = province_client.get("/province?month=2026-11&sort=contacts.total").get_data(as_text=True)
    assert page.count('class="unranked"') == 1
    first = r"<td [^>]*>1</td>\s*<th scope=\"row\" class=\"text\"><a [^>]*>Xã Phú Lâm"
    assert re.search(first, page)


def test_an_officer_who_is_not_the_province_gets_403(staff_client, commune_admin, november):
    assert staff_client.get("/province").status_code == 403
    assert commune_admin.get("/province").status_code == 403
    assert staff_client.get("/reports/PHULAM/2026-11").status_code == 403


def test_a_bad_month_is_a_400_with_help(province_client):
    response = province_client.get("/province?month=2026-13")
    assert response.status_code == 400


def test_the_report_page_shows_the_same_figures_as_the_domain(commune_admin, db, november):
    response = commune_admin.get("/reports/PHULAM/2026-11")
    assert response.status_code == 200
    text = _text(response)
    report = layout.monthly(db, november, "2026-11")
    for section in report.sections:
        assert section.title_vi() in text
        assert section.paragraph in text
        for row in section.rows:
            shown = "—" if row.value is None else str(row.value)
            assert f"{row.label_vi()} {shown} " in text, row.key
    assert "Có 6 yêu cầu thăm tại nhà; đã thăm 3" in text
    assert "+849" not in text


def test_a_commune_admin_cannot_read_another_communes_report(commune_admin, november):
    assert commune_admin.get("/reports/KHAC/2026-11").status_code == 403
    assert commune_admin.get("/reports/NOPE/2026-11").status_code == 404


def test_the_files_page_lists_the_written_files_for_download(commune_admin, runner, november):
    runner.invoke(args=["report", "monthly", "--month", "2026-11", "--commune", "PHULAM"])
    page = commune_admin.get("/reports").get_data(as_text=True)
    assert "/reports/PHULAM/files/2026-11.xlsx" in page
    download = commune_admin.get("/reports/PHULAM/files/2026-11.csv")
    assert download.status_code == 200
    assert "contacts.sms" in download.get_data(as_text=True)
    assert commune_admin.get("/reports/PHULAM/files/..%2F..%2Ftest.db").status_code == 404


def test_the_numbers_page_links_to_the_monthly_reports(commune_admin):
    page = commune_admin.get("/stats").get_data(as_text=True)
    assert 'href="/reports"' in page


def test_the_province_page_speaks_vietnamese_by_default_and_english_when_chosen(
    province_client, november
):
    page = province_client.get("/province?month=2026-11").get_data(as_text=True)
    # The province's page is headed by the province, not by the officer's commune.
    assert '<span class="commune">Toàn tỉnh</span>' in page
    assert '<span class="commune">Xã Phú Lâm' not in page
    # A labelled list of months in Vietnamese, not the browser's (English) month picker.
    assert 'type="month"' not in page
    assert '<option value="2026-11" selected>Tháng 11/2026</option>' in page
    assert "Chờ trung vị (ngày)" in page and "Trong 7 ngày (%)" in page
    province_client.post("/language", data={"lang": "en"})
    # The db fixture's app context outlives the requests, and Flask-Babel keeps the locale
    # it picked on it: forget it, as a new request's context would.
    flask_babel.refresh()
    page = province_client.get("/province?month=2026-11").get_data(as_text=True)
    assert '<option value="2026-11" selected>Month 11/2026</option>' in page
    assert "Median wait (days)" in page and "Within 7 days (%)" in page
    assert '<span class="commune">Whole province</span>' in page
    report = province_client.get("/reports/PHULAM/2026-11").get_data(as_text=True)
    assert "Waiting time" in report and "Asked about: Đăng ký khai sinh" in report
