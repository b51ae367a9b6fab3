"""The sign-in throttle slows guessing without letting anyone lock the officers out."""

import secrets
import statistics
import time

import pytest

from app import communes
from app.accounts import users
from tests.conftest import STAFF_PASSWORD


@pytest.fixture
def officers(app, store):
    app.config["WTF_CSRF_ENABLED"] = False
    users.create_user(
        store, "admin", STAFF_PASSWORD, role="admin", commune=communes.first_commune(store)
    )
    users.create_user(store, "thu", STAFF_PASSWORD, commune=communes.first_commune(store))


def sign_in(client, username, password, address="203.0.113.7", **headers):
    return client.post(
        "/login",
        data={"username": username, "password": password},
        environ_base={"REMOTE_ADDR": address},
        headers=headers,
    )


def test_random_usernames_from_one_address_do_not_lock_out_the_admin(app, officers):
    attacker = app.test_client()
    for _ in range(40):
        assert sign_in(attacker, secrets.token_hex(4), "guess").status_code == 401
    # Behind a proxy without TRUSTED_PROXIES every officer shares the attacker's address.
    officer = app.test_client()
    assert sign_in(officer, "admin", STAFF_PASSWORD).status_code == 302


def test_guesses_at_one_account_spread_over_many_addresses_lock_that_account(app, officers):
    for number in range(20):
        response = sign_in(app.test_client(), "thu", "guess", address=f"198.51.100.{number}")
        assert response.status_code == 401
    stranger = app.test_client()
    assert sign_in(stranger, "thu", STAFF_PASSWORD, address="192.0.2.50").status_code == 429
    # Other accounts are untouched.
    assert sign_in(stranger, "admin", STAFF_PASSWORD, address="192.0.2.50").status_code == 302


def test_the_officers_own_browser_still_signs_in_while_the_account_is_under_attack(app, officers):
    own_browser = app.test_client()
    assert sign_in(own_browser, "thu", STAFF_PASSWORD).status_code == 302
    own_browser.post("/logout")
    for number in range(25):
        sign_in(app.test_client(), "thu", "guess", address=f"198.51.100.{number}")
    assert sign_in(own_browser, "thu", STAFF_PASSWORD).status_code == 302


def test_five_failures_from_one_address_lock_that_address_for_that_account(app, officers):
    client = app.test_client()
    for _ in range(5):
        assert sign_in(client, "thu", "guess").status_code == 401
    assert sign_in(client, "thu", STAFF_PASSWORD).status_code == 429
    assert sign_in(app.test_client(), "thu", STAFF_PASSWORD, address="192.0.2.1").status_code == 302


def test_x_forwarded_for_is_ignored_without_trusted_proxies(app, officers):
    client = app.test_client()
    for _ in range(5):
        sign_in(client, "thu", "guess")
    # A client cannot step out of its lock by claiming another address.
    escaped = sign_in(client, "thu", STAFF_PASSWORD, **{"X-Forwarded-For": "192.0.2.99"})
    assert escaped.status_code == 429


def test_behind_a_trusted_proxy_the_real_client_address_is_counted(officers, app):
    from app import create_app

    proxied = create_app({**app.config, "TRUSTED_PROXIES": 1})
    proxy_address = "127.0.0.1"
    attacker = proxied.test_client()
    for _ in range(5):
        sign_in(attacker, "thu", "guess", proxy_address, **{"X-Forwarded-For": "198.51.100.66"})
    assert (
        sign_in(
            attacker, "thu", STAFF_PASSWORD, proxy_address, **{"X-Forwarded-For": "198.51.100.66"}
        ).status_code
        == 429
    )
    officer = proxied.test_client()
    allowed = sign_in(
        officer, "thu", STAFF_PASSWORD, proxy_address, **{"X-Forwarded-For": "192.0.2.8"}
    )
    assert allowed.status_code == 302


def test_an_unknown_username_takes_as_long_as_a_wrong_password(app, officers):
    client = app.test_client()
    known, unknown = [], []
    # Interleaved, so load on the machine hits both alike; each address only tries 4 times.
    for attempt in range(4):
        for name, timings in (("admin", known), (f"nobody{attempt}", unknown)):
            start = time.perf_counter()
            assert sign_in(client, name, "wrong", address=f"192.0.2.{attempt}").status_code == 401
            timings.append(time.perf_counter() - start)
    # Today a real name costs a password hash (~0.1 s) and a missing one almost nothing.
    assert statistics.median(unknown) > statistics.median(known) / 3


def test_the_password_form_is_no_unthrottled_way_to_guess_the_current_password(app, officers):
    borrowed = app.test_client()
    assert sign_in(borrowed, "thu", STAFF_PASSWORD).status_code == 302
    for _ in range(5):
        response = borrowed.post(
            "/password",
            data={"current_password": "guess", "new_password": "n3w-passw0rd"},
            environ_base={"REMOTE_ADDR": "203.0.113.7"},
        )
        assert response.status_code == 400
    form = {
        "current_password": STAFF_PASSWORD,
        "new_password": "n3w-passw0rd",
        "confirm_password": "n3w-passw0rd",
    }
    response = borrowed.post("/password", data=form, environ_base={"REMOTE_ADDR": "203.0.113.7"})
    assert response.status_code == 429
    assert sign_in(app.test_client(), "thu", "n3w-passw0rd", address="192.0.2.9").status_code == 401
