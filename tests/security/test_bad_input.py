"""Bad input gets a 404 or a 400 with a clear message, never a 500."""

import io
import re

import pytest

from tests.conftest import signed_in_client

SQLITE_INT_MAX = 2**63 - 1  # SQLite INTEGER

OVERFLOW = "99999999999999999999"


@pytest.fixture
def hamlet(store):
    return store.execute("SELECT id FROM hamlets ORDER BY id LIMIT 1").fetchone()[0]


@pytest.fixture
def visit(store, text_in):
    text_in("HEN Phu Hoa A", phone="+84912000401")
    return store.execute("SELECT id FROM requests ORDER BY id DESC LIMIT 1").fetchone()[0]


@pytest.mark.parametrize(
    "path",
    [
        "/settings/api-keys/9999/revoke",
        "/settings/hamlets/9999",
        "/settings/users/9999",
        "/settings/rules/9999",
        "/settings/trips/9999/cancel",
        f"/settings/hamlets/{OVERFLOW}",
        f"/requests/{OVERFLOW}/visited",
    ],
)
def test_a_missing_id_is_a_404(admin_client, path):
    assert admin_client.post(path, data={"name": "Ấp Mới", "role": "staff"}).status_code == 404


@pytest.mark.parametrize("path", [f"/requests/{OVERFLOW}", f"/trips/{OVERFLOW}.csv", "/trips/9999"])
def test_a_page_for_an_id_that_cannot_exist_is_a_404(admin_client, path):
    assert admin_client.get(path).status_code == 404


def test_a_route_order_too_large_to_store_is_a_400_that_says_why(admin_client, store):
    response = admin_client.post(
        "/settings/hamlets", data={"name": "Ấp Mới", "route_order": OVERFLOW}
    )
    assert response.status_code == 400
    assert "thứ tự" in response.get_data(as_text=True).lower()
    assert store["hamlets"].count_where("name = ?", ["Ấp Mới"]) == 0


def test_an_extra_trip_capacity_too_large_is_a_400_that_says_why(admin_client, store, hamlet):
    response = admin_client.post(
        "/settings/trips/extra",
        data={
            "date": "2027-03-02",
            "session": "morning",
            "start_time": "07:30",
            "end_time": "11:30",
            "hamlet_ids": [str(hamlet)],
            "capacity": OVERFLOW,
        },
    )
    assert response.status_code == 400
    assert "200" in response.get_data(as_text=True)
    assert store["trips"].count_where("is_extra = 1") == 0


def test_a_trip_id_too_large_to_store_is_a_400_that_says_why(staff_client, visit):
    response = staff_client.post(f"/requests/{visit}/trip", data={"trip_id": OVERFLOW})
    assert response.status_code == 400
    assert "Chọn chuyến" in response.get_data(as_text=True)


def test_a_newline_in_next_is_not_a_500(app, client, store):
    from app import communes
    from app.accounts import users

    app.config["WTF_CSRF_ENABLED"] = False
    users.create_user(store, "thu", "correct-horse-battery", commune=communes.first_commune(store))
    response = client.post(
        "/login",
        data={"username": "thu", "password": "correct-horse-battery", "next": "/\r\nX: y"},
    )
    assert (response.status_code, response.headers["Location"]) == (302, "/")


@pytest.fixture
def officer(app):
    client = signed_in_client(app, "lan", "staff")
    return client


def call_sid(officer):
    return officer.post("/simulator/api/call", json={"phone": "0901234567"}).get_json()["call_sid"]


# As a browser's JSON.stringify or a script might send them; Python's json reads them all.
RAW_DURATIONS = {
    "Infinity": "inf",
    "NaN": "nan",
    "-Infinity": "-inf",
    "1e400": "1e400",
    "-5": "-5",
    '"abc"': "abc",
}


@pytest.mark.parametrize("raw", list(RAW_DURATIONS))
def test_simulator_durations_that_are_not_seconds_are_a_400(officer, raw):
    sid = call_sid(officer)
    duration = RAW_DURATIONS[raw]
    hangup = officer.post(
        "/simulator/api/call/hangup",
        data=f'{{"phone": "0901234567", "call_sid": "{sid}", "duration": {raw}}}',
        content_type="application/json",
    )
    assert hangup.status_code == 400
    assert "duration" in hangup.get_json()["error"]
    record = officer.post(
        "/simulator/api/call/record",
        data={
            "phone": "0901234567",
            "call_sid": sid,
            "duration": duration,
            "clip": (io.BytesIO(b"RIFF" + b"\0" * 64), "clip.wav", "audio/wav"),
        },
        content_type="multipart/form-data",
    )
    assert record.status_code == 400
    assert "duration" in record.get_json()["error"]


NOT_TEXT = [5, None, [1], {"a": 1}, True]
# A whole number is a fine keypad entry ("digits": 1); anything else that is not text is not.
FIELD_VALUES = [
    (field, value)
    for field in ("method", "call_sid", "phone", "path", "body", "digits")
    for value in NOT_TEXT
    if not (field == "digits" and isinstance(value, int))
]


@pytest.mark.parametrize(("field", "value"), FIELD_VALUES)
def test_simulator_fields_that_are_not_text_are_a_400(officer, field, value):
    sid = call_sid(officer)
    fields = {"phone": "0901234567", "call_sid": sid, "path": "/voice/menu", "body": "HEN"}
    for endpoint in ("/simulator/api/call/step", "/simulator/api/sms"):
        response = officer.post(endpoint, json={**fields, field: value})
        assert response.status_code in (200, 400), (endpoint, response.status_code)
        if response.status_code == 400:
            assert response.get_json()["error"]
    step = officer.post("/simulator/api/call/step", json={**fields, field: value})
    if field != "body" and not (field == "digits" and value is None):
        assert step.status_code == 400


@pytest.mark.parametrize("payload", ["[]", "5", '"text"', "null"])
def test_simulator_json_that_is_not_an_object_is_a_400(officer, payload):
    response = officer.post("/simulator/api/sms", data=payload, content_type="application/json")
    assert response.status_code == 400


def concrete(rule, number):
    path = re.sub(r"<int:[^>]+>", number, rule.rule)
    path = re.sub(r"<any\(([^,)]+)[^>]*>", r"\1", path)
    return re.sub(r"<(?:[a-z]+:)?[^>]+>", "VNEID", path)


FIELDS = [
    "birth_year",
    "hamlet_id",
    "route_order",
    "trip_id",
    "weekday",
    "capacity",
    "hamlet_ids",
    "rule_ids",
    "date",
    "start_time",
    "end_time",
    "session",
    "page",
    "trip",
    "hamlet",
    "name",
    "role",
    "password",
    "active",
    "kind",
    "status",
    "q",
    "channel",
    "language",
    "note",
    "answer",
    "action",
    "phone",
]
SKIPPED = {"staff.logout", "staff.password", "staff.login", "static"}


def test_no_console_route_answers_500_to_odd_numbers_or_ids(app, admin_client):
    """Every console route, with missing or too large ids and odd numbers in every field."""
    app.testing = False  # a bug must show as the 500 a visitor would get, not as an exception
    app.config["PROPAGATE_EXCEPTIONS"] = False
    failures = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in SKIPPED or not rule.endpoint.startswith("staff."):
            continue
        for number in ("9999", str(SQLITE_INT_MAX + 1)):
            path = concrete(rule, number)
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                for value in (OVERFLOW, "-" + OVERFLOW, "nan", "1e400", "\x00", "1", ""):
                    data = dict.fromkeys(FIELDS, value)
                    if method == "GET":
                        response = admin_client.get(path, query_string=data)
                    else:
                        response = admin_client.open(path, method=method, data=data)
                    if response.status_code >= 500:
                        failures.append((method, path, value, response.status_code))
    assert failures == []
