"""A saved session cookie stops working after logout, a password change or deactivation."""

from app.accounts import users
from tests.conftest import STAFF_PASSWORD, signed_in_client


def saved_cookie(client):
    return client.get_cookie("session").value


def replay(app, cookie):
    """A new browser that presents a copied session cookie; return the status of the queue."""
    thief = app.test_client()
    thief.set_cookie("session", cookie)
    return thief.get("/").status_code


def test_a_cookie_saved_before_logout_no_longer_opens_the_console(app, staff_client):
    cookie = saved_cookie(staff_client)
    assert replay(app, cookie) == 200
    staff_client.post("/logout")
    assert replay(app, cookie) == 302


def test_an_admin_password_reset_ends_the_officers_sessions(app, staff_client, admin_client, store):
    cookie = saved_cookie(staff_client)
    lan = users.by_username(store, "lan")
    admin_client.post(
        f"/settings/users/{lan['id']}",
        data={"role": "staff", "active": "1", "password": "a-brand-new-secret"},
    )
    assert users.check_password(store, "lan", "a-brand-new-secret")
    assert replay(app, cookie) == 302
    assert staff_client.get("/").status_code == 302


def test_a_deactivated_account_stays_out_after_it_is_reactivated(
    app, staff_client, admin_client, store
):
    cookie = saved_cookie(staff_client)
    lan = users.by_username(store, "lan")
    admin_client.post(f"/settings/users/{lan['id']}", data={"role": "staff"})
    assert users.by_username(store, "lan")["active"] == 0
    admin_client.post(f"/settings/users/{lan['id']}", data={"role": "staff", "active": "1"})
    assert users.by_username(store, "lan")["active"] == 1
    assert replay(app, cookie) == 302


def test_changing_ones_own_password_ends_the_other_sessions_but_not_this_one(app, store):
    laptop = signed_in_client(app, "lan", "staff")
    phone = signed_in_client(app, "lan", "staff")
    changed = laptop.post(
        "/password",
        data={
            "current_password": STAFF_PASSWORD,
            "new_password": "my-own-new-secret",
            "confirm_password": "my-own-new-secret",
        },
    )
    assert changed.status_code == 302
    assert laptop.get("/").status_code == 200
    assert phone.get("/").status_code == 302


def test_an_admin_changing_their_own_password_in_settings_stays_signed_in(admin_client, store):
    minh = users.by_username(store, "minh")
    admin_client.post(
        f"/settings/users/{minh['id']}",
        data={"role": "admin", "active": "1", "password": "admin-new-secret"},
    )
    assert users.check_password(store, "minh", "admin-new-secret")
    assert admin_client.get("/settings").status_code == 200
    assert not users.by_username(store, "minh")["must_change_password"]
