"""Accounts: one password policy everywhere, a given password is replaced first, HSTS on https."""

import re

import pytest

from app import create_app
from app.accounts import users


@pytest.mark.parametrize("weak", ["a", "1234567", "lan", "LAN"])
def test_the_cli_refuses_a_password_the_settings_page_refuses(runner, store, weak):
    result = runner.invoke(args=["create-user", "lan", "--role", "admin", "--password", weak])
    assert result.exit_code != 0
    assert "not created" in result.output
    assert users.by_username(store, "lan") is None


def test_the_settings_page_refuses_a_short_password(admin_client, store):
    page = admin_client.post(
        "/settings/users",
        data={"username": "hanh", "role": "staff", "password": "short"},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert users.by_username(store, "hanh") is None
    assert "ít nhất 8 ký tự" in page


def first_admin_password(runner):
    printed = runner.invoke(args=["ensure-admin"]).output
    return re.search(r"admin / (\S+)", printed).group(1)


def test_the_printed_first_admin_password_must_be_changed_at_first_sign_in(app, runner, store):
    app.config["WTF_CSRF_ENABLED"] = False
    given = first_admin_password(runner)
    client = app.test_client()
    signed_in = client.post("/login", data={"username": "admin", "password": given})
    assert signed_in.headers["Location"] == "/password"
    for path in ("/", "/settings", "/residents", "/trips"):
        response = client.get(path)
        assert (path, response.status_code, response.headers.get("Location")) == (
            path,
            302,
            "/password",
        )
    assert client.post("/settings/api-keys", data={"name": "x"}).headers["Location"] == "/password"
    assert store["api_keys"].count == 0
    refused = client.post(
        "/password",
        data={"current_password": given, "new_password": given, "confirm_password": given},
    )
    assert refused.status_code == 400
    changed = client.post(
        "/password",
        data={
            "current_password": given,
            "new_password": "chosen-by-the-admin",
            "confirm_password": "chosen-by-the-admin",
        },
    )
    assert changed.headers["Location"] == "/"
    assert client.get("/settings").status_code == 200
    assert users.check_password(store, "admin", given) is None
    assert not users.by_username(store, "admin")["must_change_password"]


def test_an_account_an_admin_created_picks_its_own_password_first(admin_client, app):
    admin_client.post(
        "/settings/users",
        data={"username": "hanh", "role": "staff", "password": "given-by-minh"},
    )
    client = app.test_client()
    response = client.post("/login", data={"username": "hanh", "password": "given-by-minh"})
    assert response.headers["Location"] == "/password"
    assert client.get("/").headers["Location"] == "/password"


def test_hsts_is_sent_when_the_public_url_is_https(client, staff_client):
    # The test app's PUBLIC_BASE_URL is https.
    for response in (client.get("/login"), client.get("/healthz"), staff_client.get("/")):
        assert response.headers["Strict-Transport-Security"] == "max-age=31536000"


def test_no_hsts_over_plain_http(app):
    plain = create_app({**app.config, "PUBLIC_BASE_URL": "http://127.0.0.1:8000"})
    assert "Strict-Transport-Security" not in plain.test_client().get("/login").headers
