"""After sign-in and a language switch the console only ever redirects to its own pages."""

import re

import pytest

from app import communes
from app.accounts import users
from tests.conftest import STAFF_PASSWORD

OFF_SITE = [
    "/\t/evil.example/phish",
    "/\n/evil.example/phish",
    "/\r\nSet-Cookie: planted=1",
    "/ /evil.example",
    "//evil.example/phish",
    "/\\evil.example",
    "https://evil.example/",
    "javascript:alert(1)",
    " /evil.example",
    "/\u3000/evil.example",
]


@pytest.fixture
def officer(app, store):
    app.config["WTF_CSRF_ENABLED"] = False
    users.create_user(store, "thu", STAFF_PASSWORD, commune=communes.first_commune(store))


def test_the_phishing_link_from_the_report_lands_on_the_queue(client, officer):
    page = client.get("/login?next=/%09/evil.example/phish").get_data(as_text=True)
    login_form = re.search(r'action="/login">(.*?)</form>', page, re.DOTALL).group(1)
    carried = re.search(r'name="next" value="([^"]*)"', login_form).group(1)
    assert carried == "/\t/evil.example/phish"
    response = client.post(
        "/login", data={"username": "thu", "password": STAFF_PASSWORD, "next": carried}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


@pytest.mark.parametrize("target", OFF_SITE)
def test_sign_in_never_leaves_the_site(client, officer, target):
    response = client.post(
        "/login", data={"username": "thu", "password": STAFF_PASSWORD, "next": target}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


@pytest.mark.parametrize("target", OFF_SITE)
def test_the_language_switch_never_leaves_the_site(client, officer, target):
    response = client.post("/language", data={"lang": "en", "next": target})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_a_local_page_with_its_query_is_still_followed(client, officer):
    response = client.post(
        "/login",
        data={"username": "thu", "password": STAFF_PASSWORD, "next": "/residents?q=Hoa&page=2"},
    )
    assert response.headers["Location"] == "/residents?q=Hoa&page=2"
    switched = client.post("/language", data={"lang": "vi", "next": "/trips"})
    assert switched.headers["Location"] == "/trips"
