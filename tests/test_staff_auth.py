"""Staff console access: sign-in, throttling, the login guard, CSRF, roles and headers."""

import re

import pytest

from app import communes
from app.accounts import users
from staff import auth
from tests.conftest import STAFF_PASSWORD, signed_in_client

# Routes anyone may reach: sign-in, the webhooks, health, metrics and Open311.
# /metrics guards itself: a bearer token, or a direct local request only.
PUBLIC_PREFIXES = (
    "/login",
    "/language",
    "/sms/",
    "/voice/",
    "/healthz",
    "/metrics",
    "/open311/",
)


def concrete_path(rule):
    """Fill a rule's converters with plausible values ("/trips/<int:trip_id>" → "/trips/1")."""
    path = re.sub(r"<int:[^>]+>", "1", rule.rule)
    path = re.sub(r"<any\(([^,)]+)[^>]*>", r"\1", path)
    return re.sub(r"<(?:[a-z]+:)?[^>]+>", "x", path)


def test_every_route_redirects_to_login_unless_public(app, client):
    # CSRF would refuse the POSTs first (400); switch it off to see the login guard itself.
    app.config["WTF_CSRF_ENABLED"] = False
    checked = 0
    for rule in app.url_map.iter_rules():
        path = concrete_path(rule)
        if rule.endpoint in auth.PUBLIC_ENDPOINTS or path.startswith(PUBLIC_PREFIXES):
            assert auth.is_public(rule.endpoint, rule.endpoint.split(".")[0]) or (
                rule.endpoint in auth.PUBLIC_ENDPOINTS
            )
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(path, method=method)
            assert response.status_code == 302, (method, path, response.status_code)
            assert response.headers["Location"].startswith("/login"), (method, path)
            checked += 1
    assert checked > 30


def test_public_routes_answer_without_login(client):
    assert client.get("/healthz").status_code == 200
    assert client.get("/login").status_code == 200
    # Webhooks refuse unsigned posts themselves (403), they are not sent to the login page.
    assert client.post("/sms/twilio", data={"Body": "HEN"}).status_code == 403
    assert client.post("/voice/incoming", data={}).status_code == 403
    assert client.get("/open311/v2/services.json").status_code == 200
    assert client.get("/static/css/staff.css").status_code == 200


def test_the_login_page_remembers_where_the_officer_was_going(client):
    response = client.get("/residents?q=Hoa")
    assert response.headers["Location"] == "/login?next=/residents?q%3DHoa"


def test_a_correct_password_signs_in_and_follows_a_local_next(app, client, db):
    app.config["WTF_CSRF_ENABLED"] = False
    users.create_user(db, "thu", STAFF_PASSWORD, commune=communes.first_commune(db))
    response = client.post(
        "/login", data={"username": "thu", "password": STAFF_PASSWORD, "next": "/trips"}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/trips"
    assert client.get("/trips").status_code == 200
    assert users.by_username(db, "thu")["last_login_at"]


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "/\\evil"])
def test_login_never_redirects_off_site(app, client, db, target):
    app.config["WTF_CSRF_ENABLED"] = False
    users.create_user(db, "thu", STAFF_PASSWORD, commune=communes.first_commune(db))
    response = client.post(
        "/login", data={"username": "thu", "password": STAFF_PASSWORD, "next": target}
    )
    assert response.headers["Location"] == "/"


def test_a_wrong_password_is_refused_with_a_message(app, client, db):
    app.config["WTF_CSRF_ENABLED"] = False
    users.create_user(db, "thu", STAFF_PASSWORD, commune=communes.first_commune(db))
    response = client.post("/login", data={"username": "thu", "password": "wrong"})
    assert response.status_code == 401
    assert "Sai tên đăng nhập hoặc mật khẩu." in response.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_five_failures_lock_the_address_and_username_with_429(app, client, db):
    app.config["WTF_CSRF_ENABLED"] = False
    users.create_user(db, "thu", STAFF_PASSWORD, commune=communes.first_commune(db))
    for _ in range(5):
        assert client.post("/login", data={"username": "thu", "password": "x"}).status_code == 401
    locked = client.post("/login", data={"username": "thu", "password": STAFF_PASSWORD})
    assert locked.status_code == 429
    assert locked.headers["Retry-After"] == "900"
    assert "Chờ 15 phút".lower() in locked.get_data(as_text=True).lower()
    assert client.get("/").status_code == 302
    # Another address is not affected.
    other = client.post(
        "/login",
        data={"username": "thu", "password": STAFF_PASSWORD},
        environ_base={"REMOTE_ADDR": "10.0.0.9"},
    )
    assert other.status_code == 302


def test_the_lock_lifts_after_fifteen_minutes(app, client, db, time_machine):
    app.config["WTF_CSRF_ENABLED"] = False
    time_machine.move_to("2026-12-01 02:00:00+00:00", tick=False)
    users.create_user(db, "thu", STAFF_PASSWORD, commune=communes.first_commune(db))
    for _ in range(5):
        client.post("/login", data={"username": "thu", "password": "x"})
    assert client.post("/login", data={"username": "thu", "password": "x"}).status_code == 429
    time_machine.move_to("2026-12-01 02:16:00+00:00", tick=False)
    ok = client.post("/login", data={"username": "thu", "password": STAFF_PASSWORD})
    assert ok.status_code == 302


def test_a_sign_in_attempt_clears_attempts_older_than_a_month(app, client, db, time_machine):
    app.config["WTF_CSRF_ENABLED"] = False
    time_machine.move_to("2026-11-01 02:00:00+00:00", tick=False)
    users.create_user(db, "thu", STAFF_PASSWORD, commune=communes.first_commune(db))
    client.post("/login", data={"username": "thu", "password": "x"})
    time_machine.move_to("2026-11-25 02:00:00+00:00", tick=False)
    client.post("/login", data={"username": "lan", "password": "x"})
    time_machine.move_to("2026-12-05 02:00:00+00:00", tick=False)
    client.post("/login", data={"username": "thu", "password": STAFF_PASSWORD})
    kept = [(row["username"], row["at"][:10]) for row in db["login_attempts"].rows]
    assert kept == [("lan", "2026-11-25"), ("thu", "2026-12-05")]


def test_forms_without_a_csrf_token_are_rejected(app, client, db):
    app.config["WTF_CSRF_ENABLED"] = True
    users.create_user(db, "thu", STAFF_PASSWORD, commune=communes.first_commune(db))
    assert (
        client.post("/login", data={"username": "thu", "password": STAFF_PASSWORD}).status_code
        == 400
    )
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = client.post(
        "/login", data={"username": "thu", "password": STAFF_PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302
    # Signed in, a state change without the token is still refused and changes nothing.
    refused = client.post("/logout")
    assert refused.status_code == 400
    assert client.get("/").status_code == 200
    resident = db["residents"].insert({"phone": "+84912000001", "name": "Cũ"}).last_pk
    refused = client.post(f"/residents/{resident}", data={"name": "Mới", "language": "vi"})
    assert refused.status_code == 400
    assert db["residents"].get(resident)["name"] == "Cũ"


def test_staff_cannot_reach_the_admin_settings(staff_client):
    assert staff_client.get("/settings").status_code == 403
    for path in (
        "/settings/hamlets",
        "/settings/hamlets/1",
        "/settings/rules",
        "/settings/rules/1",
        "/settings/trips/1/cancel",
        "/settings/trips/extra",
        "/settings/users",
        "/settings/users/1",
        "/settings/api-keys",
        "/settings/api-keys/1/revoke",
    ):
        assert staff_client.post(path, data={"name": "x"}).status_code == 403, path
    assert "/settings" not in staff_client.get("/").get_data(as_text=True)


def test_admins_reach_the_settings(admin_client):
    assert admin_client.get("/settings").status_code == 200


def test_a_deactivated_account_is_signed_out_on_its_next_request(app, staff_client, db):
    db["staff_users"].update(users.by_username(db, "lan")["id"], {"active": 0})
    assert staff_client.get("/").status_code == 302


def test_sign_out_ends_the_session(staff_client):
    assert staff_client.post("/logout").status_code == 302
    assert staff_client.get("/").headers["Location"].startswith("/login")


def test_every_response_carries_the_security_headers(client, staff_client):
    for response in (client.get("/login"), client.get("/healthz"), staff_client.get("/")):
        csp = response.headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp
        assert "frame-ancestors 'none'" in csp
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "same-origin"


def test_pages_have_no_inline_script(staff_client, admin_client):
    for client, path in (
        (staff_client, "/"),
        (staff_client, "/requests/new"),
        (admin_client, "/settings"),
    ):
        html = client.get(path).get_data(as_text=True)
        for tag in re.findall(r"<script[^>]*>", html):
            assert 'src="/static/' in tag
        assert " on" + "click=" not in html and "style=" not in html


def test_the_session_cookie_is_httponly_lax_and_secure_over_https(app, db):
    users.create_user(db, "thu", STAFF_PASSWORD, commune=communes.first_commune(db))
    app.config["WTF_CSRF_ENABLED"] = False
    response = app.test_client().post(
        "/login", data={"username": "thu", "password": STAFF_PASSWORD}
    )
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" in cookie


def test_the_session_cookie_is_not_secure_on_plain_http(tmp_path):
    from app import create_app

    plain = create_app(
        {
            "DATABASE_PATH": str(tmp_path / "x.db"),
            "SECRET_KEY": "k",
            "PUBLIC_BASE_URL": "http://127.0.0.1:8000",
        }
    )
    assert plain.config["SESSION_COOKIE_SECURE"] is False
    assert plain.config["SESSION_COOKIE_HTTPONLY"] is True


def test_the_console_is_vietnamese_by_default_with_an_english_switch(staff_client):
    page = staff_client.get("/").get_data(as_text=True)
    assert '<html lang="vi">' in page and "Hàng chờ" in page
    response = staff_client.post("/language", data={"lang": "en", "next": "/trips"})
    assert response.headers["Location"] == "/trips"
    page = staff_client.get("/").get_data(as_text=True)
    assert '<html lang="en">' in page and "Needs attention" in page
    staff_client.post("/language", data={"lang": "vi"})
    assert "Cần xử lý" in staff_client.get("/").get_data(as_text=True)


def test_the_login_page_can_switch_language_before_signing_in(app, client):
    app.config["WTF_CSRF_ENABLED"] = False
    client.post("/language", data={"lang": "en", "next": "/login"})
    assert "Staff sign in" in client.get("/login").get_data(as_text=True)


def test_signing_in_twice_as_the_same_user_keeps_one_identity(app):
    first = signed_in_client(app, "lan", "staff")
    second = signed_in_client(app, "lan", "staff")
    assert first.get("/").status_code == second.get("/").status_code == 200


def test_each_failed_sign_in_says_how_many_tries_are_left(app, client, db):
    app.config["WTF_CSRF_ENABLED"] = False
    users.create_user(db, "thu", STAFF_PASSWORD, commune=communes.first_commune(db))
    said = []
    for _ in range(5):
        page = client.post("/login", data={"username": "thu", "password": "x"})
        said.append(re.search(r"Còn (\d) lần thử", page.get_data(as_text=True)))
    assert [found.group(1) if found else None for found in said] == ["4", "3", "2", "1", None]
    assert "nhờ quản trị viên mở khóa" in page.get_data(as_text=True)


def test_an_admin_unlocks_a_locked_account_before_the_fifteen_minutes(app, client, db):
    app.config["WTF_CSRF_ENABLED"] = False
    users.create_user(db, "thu", STAFF_PASSWORD, commune=communes.first_commune(db))
    for _ in range(5):
        client.post("/login", data={"username": "thu", "password": "x"})
    assert client.post("/login", data={"username": "thu", "password": "x"}).status_code == 429
    admin = signed_in_client(app, "minh", "admin")
    settings = admin.get("/settings").get_data(as_text=True)
    assert "Mở khóa thu" in settings
    thu = users.by_username(db, "thu")
    unlocked = admin.post(f"/settings/users/{thu['id']}/unlock", follow_redirects=True)
    page = unlocked.get_data(as_text=True)
    assert "Đã mở khóa tài khoản" in page and "Mở khóa thu" not in page
    ok = client.post("/login", data={"username": "thu", "password": STAFF_PASSWORD})
    assert ok.status_code == 302


def test_an_officer_who_is_not_an_admin_cannot_unlock(app, db):
    users.create_user(db, "thu", STAFF_PASSWORD, commune=communes.first_commune(db))
    thu = users.by_username(db, "thu")
    staff = signed_in_client(app, "lan", "staff")
    assert staff.post(f"/settings/users/{thu['id']}/unlock").status_code == 403


def test_unlocking_an_account_that_does_not_exist_is_404(admin_client):
    assert admin_client.post("/settings/users/9999/unlock").status_code == 404
