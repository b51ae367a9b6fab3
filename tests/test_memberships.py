"""Memberships: the console opens one commune at a time, switched only by an explicit POST."""

import pytest

from app.accounts import memberships, users
from tests.security.communes import (
    A_NAME,
    B_NAME,
    add_province_reader,
    build_commune_a,
    build_commune_b,
    csrf_of,
    join,
    sign_in,
)


@pytest.fixture
def two(app, store):
    return build_commune_a(store), build_commune_b(store)


def header(page):
    """The commune named in the page's header."""
    text = page.get_data(as_text=True)
    return text.split('<span class="commune">', 1)[1].split("</span>", 1)[0]


def test_a_member_of_one_commune_works_there_and_sees_no_switch(app, two):
    a, b = two
    client = sign_in(app, "betastaff")
    page = client.get("/")
    assert "Xã Bến Gỗ" in header(page)
    assert 'name="commune_id"' not in page.get_data(as_text=True)


def test_a_member_of_two_communes_switches_with_a_post_and_sees_one_at_a_time(app, store, two):
    a, b = two
    join(store, users.by_username(store, "betastaff")["id"], a.commune, "staff")
    client = sign_in(app, "betastaff")
    page = client.get("/")
    # The first membership opens first; the switch lists both.
    assert "Xã Phú Lâm" in header(page)
    assert A_NAME in page.get_data(as_text=True)
    assert B_NAME not in page.get_data(as_text=True)
    assert page.get_data(as_text=True).count('name="commune_id"') == 1
    token = csrf_of(page)
    answer = client.post("/commune", data={"commune_id": b.commune.id, "csrf_token": token})
    assert answer.status_code == 302
    assert answer.headers["Location"] == "/"
    page = client.get("/")
    assert "Xã Bến Gỗ" in header(page)
    assert B_NAME in page.get_data(as_text=True)
    assert A_NAME not in page.get_data(as_text=True)
    # A's request, opened by id while B is open, is not there.
    assert client.get(f"/requests/{a.request_id}").status_code == 404


def test_the_switch_needs_the_csrf_token_and_a_post(app, store, two):
    a, b = two
    join(store, users.by_username(store, "betastaff")["id"], a.commune, "staff")
    client = sign_in(app, "betastaff")
    assert client.post("/commune", data={"commune_id": b.commune.id}).status_code == 400
    # Opened as a page, the form's address leads to a page and switches nothing.
    assert client.get("/commune", query_string={"commune_id": b.commune.id}).status_code == 302
    assert "Xã Phú Lâm" in header(client.get("/"))


def test_no_one_switches_into_a_commune_they_do_not_belong_to(app, two):
    a, b = two
    client = sign_in(app, "betastaff")
    token = csrf_of(client.get("/"))
    answer = client.post("/commune", data={"commune_id": a.commune.id, "csrf_token": token})
    assert answer.status_code == 403
    assert "Xã Bến Gỗ" in header(client.get("/"))


def test_a_role_is_per_commune(app, store, two):
    a, b = two
    join(store, users.by_username(store, "betastaff")["id"], a.commune, "admin")
    client = sign_in(app, "betastaff")
    assert client.get("/settings").status_code == 200  # admin in A
    token = csrf_of(client.get("/"))
    client.post("/commune", data={"commune_id": b.commune.id, "csrf_token": token})
    assert client.get("/settings").status_code == 403  # staff in B


def test_an_account_of_no_commune_is_refused(app, store, two):
    with store.conn:
        users.create_user(store, "nobody", "correct-horse-battery")
    client = sign_in(app, "nobody")
    assert client.get("/").status_code == 403


def test_the_province_reads_every_commune_marked_read_only_and_audited(app, store, two):
    a, b = two
    add_province_reader(store)
    client = sign_in(app, "tinh")
    page = client.get("/")
    assert page.get_data(as_text=True).count("<option value=") >= 2
    assert "chỉ xem" in header(page) or "read only" in header(page)
    token = csrf_of(page)
    client.post("/commune", data={"commune_id": b.commune.id, "csrf_token": token})
    assert B_NAME in client.get("/residents").get_data(as_text=True)
    assert (
        client.post(f"/requests/{b.request_id}/cancel", data={"csrf_token": token}).status_code
        == 403
    )
    logged = store.execute(
        "SELECT target FROM audit_log WHERE commune_id = ? AND action = 'province_read'",
        [b.commune.id],
    ).fetchall()
    assert ("/residents",) in logged


def test_a_communes_admin_sees_and_changes_only_its_members(app, store, two):
    a, b = two
    client = sign_in(app, "betaadmin")
    settings = client.get("/settings").get_data(as_text=True)
    assert "betastaff" in settings
    assert "alphaadmin" not in settings
    token = csrf_of(client.get("/settings"))
    answer = client.post(
        f"/settings/users/{a.user_id}",
        data={"csrf_token": token, "role": "staff", "password": "a-new-password-123"},
    )
    assert answer.status_code == 404


def test_a_shared_account_leaves_the_commune_rather_than_being_deactivated(app, store, two):
    a, b = two
    staff = users.by_username(store, "betastaff")
    join(store, staff["id"], a.commune, "staff")
    client = sign_in(app, "betaadmin")
    token = csrf_of(client.get("/settings"))
    answer = client.post(
        f"/settings/users/{staff['id']}", data={"csrf_token": token, "role": "staff"}
    )
    assert answer.status_code == 302
    assert users.get(store, staff["id"])["active"] == 1
    assert memberships.role_in(store, staff["id"], b.commune.id) is None
    assert memberships.role_in(store, staff["id"], a.commune.id) == "staff"


def test_the_province_page_counts_every_commune_and_is_the_provinces_only(app, store, two):
    a, b = two
    add_province_reader(store)
    page = sign_in(app, "tinh").get("/province")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Xã Phú Lâm" in text and "Xã Bến Gỗ" in text
    assert A_NAME not in text and B_NAME not in text
    assert sign_in(app, "betaadmin").get("/province").status_code == 403
