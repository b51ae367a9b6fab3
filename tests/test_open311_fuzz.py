"""Garbage in, Open311 errors out: no parameter mix makes the API fail with a 500."""

import xml.etree.ElementTree as ET

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app import communes
from app.accounts import apikeys

BASE = "/open311/v2"
FUZZ = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Values that reach deep paths (valid codes, dates, phones) mixed with arbitrary text.
TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)
VALUES = st.one_of(
    TEXT,
    st.sampled_from(
        [
            "",
            " ",
            "\x00",
            "VISIT",
            "visit",
            "QUESTION",
            "KHAISINH",
            "PHUHOAA",
            "Ấp Phú Hòa B",
            "0912 345 678",
            "+84 987 654 321",
            "0162 123 4567",
            "yes",
            "no",
            "open",
            "closed,open",
            "2026-11-01",
            "2026-11-01T00:00:00+07:00",
            "2026-11-01T00:00:00Z",
            "9999-12-31T23:59:59-23:59",
            "0",
            "-1",
            "500",
            "501",
            "9" * 30,
            "١٢",
            ",,,",
        ]
    ),
)
QUERY_NAMES = [
    "service_request_id",
    "service_code",
    "status",
    "start_date",
    "end_date",
    "page",
    "page_size",
    "jurisdiction_id",
]
POST_NAMES = [
    "service_code",
    "phone",
    "description",
    "first_name",
    "last_name",
    "address_string",
    "address_id",
    "lat",
    "long",
    "email",
    "attribute[hamlet]",
    "attribute[reason]",
    "attribute[age_75_plus]",
    "attribute[lives_alone]",
    "attribute[limited_mobility]",
    "attribute[idempotency_key]",
    "attribute[]",
    "attribute[hamlet][]",
]


def assert_open311(response, allowed):
    """The status is one we expect and the body is an Open311 list (errors carry the code)."""
    assert response.status_code in allowed, response.data[:300]
    body = response.get_json()
    assert isinstance(body, list)
    if response.status_code >= 400:
        assert body[0]["code"] == response.status_code


@pytest.fixture
def key(db):
    return apikeys.create_key(db, communes.first_commune(db), "fuzz")


@pytest.fixture
def client(app):
    """A client that may read as often as the fuzzer asks (the read limit has its own tests)."""
    app.config["OPEN311_READS_PER_ADDRESS"] = app.config["OPEN311_READS_PER_KEY"] = (10**6, 10**6)
    return app.test_client()


@FUZZ
@given(params=st.dictionaries(st.sampled_from(QUERY_NAMES), VALUES, max_size=6))
def test_any_query_gets_a_list_or_an_open311_error(client, params):
    assert_open311(client.get(f"{BASE}/requests.json", query_string=params), {200, 400})
    xml = client.get(f"{BASE}/requests.xml", query_string=params)
    assert xml.status_code in {200, 400}
    assert ET.fromstring(xml.data).tag in {"service_requests", "errors"}


# Valid forms for the fuzzer to spoil one field at a time, so it also reaches the writes.
BASES = [
    {},
    {"service_code": "VISIT", "phone": "0912345678", "attribute[hamlet]": "PHUHOAA"},
    {"service_code": "KHAISINH", "phone": "0987654321", "description": "Hỏi"},
]


@FUZZ
@given(
    base=st.sampled_from(BASES),
    form=st.dictionaries(st.sampled_from(POST_NAMES), VALUES, max_size=10),
)
def test_any_post_files_a_request_or_gets_an_open311_error(client, key, base, form):
    response = client.post(f"{BASE}/requests.json", data={"api_key": key, **base, **form})
    # 429: the per-phone filing limit, reached as the same few phones are filed again and again.
    assert_open311(response, {200, 201, 400, 429})
    xml = client.post(f"{BASE}/requests.xml", data={"api_key": key, **base, **form})
    assert ET.fromstring(xml.data).tag in {"service_requests", "errors"}


@FUZZ
@given(ident=TEXT.filter(lambda text: "/" not in text and text not in ("", ".", "..")))
def test_any_request_id_or_service_code_gets_a_result_or_a_404(client, ident):
    assert_open311(client.get(f"{BASE}/requests/{ident}.json"), {200, 404})
    response = client.get(f"{BASE}/services/{ident}.json")
    assert response.status_code in {200, 404}


@FUZZ
@given(key=TEXT)
def test_any_key_is_accepted_or_a_403(client, key):
    assert_open311(client.get(f"{BASE}/requests.json", query_string={"api_key": key}), {200, 403})
