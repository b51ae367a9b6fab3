"""The JSON routes and callback ids: odd input is a 400 or a 404, never a 500."""

import hashlib
import hmac
import json
import time

import pytest

from tests.conftest import signed_in_client
from tests.test_staff_pages import open_visit

OVERFLOW = 99999999999999999999  # more than SQLite's 64-bit INTEGER holds
# Nested deeper than Python's json parser goes: it raises RecursionError, not ValueError.
TOO_DEEP = "[" * 20_000 + "]" * 20_000  # 40 KB, inside every route's body limit
GATEWAY_KEY = "gateway-signing-key-for-tests"


@pytest.fixture
def unguarded(app):
    """The app as a visitor meets it: a bug is the 500 they would get, not an exception."""
    app.testing = False
    app.config["PROPAGATE_EXCEPTIONS"] = False
    return app


@pytest.fixture
def officer(unguarded):
    return signed_in_client(unguarded, "lan", "staff")


@pytest.fixture
def visit_on_a_trip(store, in_first_commune):
    """A booked home visit: the request and its trip."""
    request = open_visit(store, phone="+84912000402")
    row = store.execute("SELECT id, trip_id FROM requests WHERE id = ?", [request["id"]])
    request_id, trip_id = row.fetchone()
    assert trip_id, "the visit is booked on a trip"
    return request_id, trip_id


@pytest.mark.parametrize("request_id", [OVERFLOW, -OVERFLOW, 2**63])
def test_a_field_result_for_an_id_no_request_can_have_is_a_404(
    officer, store, visit_on_a_trip, request_id
):
    _request, trip_id = visit_on_a_trip
    response = officer.post(
        f"/trips/{trip_id}/field/results",
        json={"request_id": request_id, "key": "k" * 12, "result": "note", "note": "x"},
    )
    assert response.status_code == 404
    assert store["field_results"].count == 0


def test_a_field_result_nested_too_deeply_is_a_400(officer, store, visit_on_a_trip):
    _request, trip_id = visit_on_a_trip
    response = officer.post(
        f"/trips/{trip_id}/field/results", data=TOO_DEEP, content_type="application/json"
    )
    assert response.status_code == 400
    assert "JSON" in response.get_json()["error"]
    assert store["field_results"].count == 0


def test_simulator_json_nested_too_deeply_is_a_400(officer, store):
    before = store["messages"].count
    response = officer.post("/simulator/api/sms", data=TOO_DEEP, content_type="application/json")
    assert response.status_code == 400
    assert store["messages"].count == before


def test_a_signed_gateway_webhook_nested_too_deeply_is_a_400(unguarded, store):
    unguarded.config["SMS_GATEWAY_SIGNING_KEY"] = GATEWAY_KEY
    body = TOO_DEEP.encode()
    stamp = str(int(time.time()))
    signature = hmac.new(GATEWAY_KEY.encode(), body + stamp.encode(), hashlib.sha256).hexdigest()
    response = unguarded.test_client().post(
        "/sms/gateway",
        data=body,
        headers={
            "Content-Type": "application/json",
            "X-Timestamp": stamp,
            "X-Signature": signature,
        },
    )
    assert response.status_code == 400
    assert store["messages"].count_where("direction = 'in'") == 0


@pytest.mark.parametrize("our_id", [str(OVERFLOW), "-" + str(OVERFLOW), "1e400"])
def test_a_twilio_status_callback_with_an_id_that_is_not_ours_changes_nothing(
    unguarded, store, text_in, our_id
):
    from tests.conftest import PUBLIC_BASE_URL, twilio_signature

    text_in("HEN Phu Hoa A", phone="+84912000403")
    before = [dict(row) for row in store["messages"].rows]
    path = f"/sms/twilio/status?m={our_id}"
    params = {"MessageSid": "SM" + "d" * 32, "MessageStatus": "delivered", "To": "+84912000403"}
    response = unguarded.test_client().post(
        path,
        data=params,
        headers={"X-Twilio-Signature": twilio_signature(PUBLIC_BASE_URL + path, params)},
    )
    assert response.status_code == 204
    assert [dict(row) for row in store["messages"].rows] == before


def test_the_json_provider_still_reads_ordinary_json(unguarded):
    with unguarded.app_context():
        assert unguarded.json.loads(json.dumps({"a": [1, 2]})) == {"a": [1, 2]}


# A lone surrogate escape: valid JSON text, no character; UTF-8 (and so SQLite) cannot hold it.
LONE_SURROGATE_NOTE = (
    '{"request_id": %d, "key": "key-lone-0001", "result": "note", "note": "a\\ud800"}'
)


def test_a_field_result_with_a_lone_surrogate_is_a_400_and_the_next_one_is_stored(
    officer, store, visit_on_a_trip
):
    request_id, trip_id = visit_on_a_trip
    response = officer.post(
        f"/trips/{trip_id}/field/results",
        data=LONE_SURROGATE_NOTE % request_id,
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "JSON" in response.get_json()["error"]
    good = officer.post(
        f"/trips/{trip_id}/field/results",
        json={"request_id": request_id, "key": "key-lone-0002", "result": "note", "note": "a"},
    )
    assert good.status_code == 200
    assert [row["note"] for row in store["field_results"].rows] == ["a"]


@pytest.mark.parametrize("where", ["message", "phoneNumber", "key"])
def test_a_signed_gateway_message_with_a_lone_surrogate_is_a_400(unguarded, store, where):
    unguarded.config["SMS_GATEWAY_SIGNING_KEY"] = GATEWAY_KEY
    payload = {"message": "HEN", "phoneNumber": "+84912000404", "receivedAt": "2027-03-01"}
    text = json.dumps(
        {"event": "sms:received", "id": "ev-lone-1", "payload": {**payload, "marker": 1}}
    )
    if where == "key":
        text = text.replace('"marker"', '"mark\\ud800"')
    else:
        text = text.replace(f'"{payload[where]}"', f'"{payload[where]}\\udc00"')
    assert "\\ud" in text
    body = text.encode()
    stamp = str(int(time.time()))
    signature = hmac.new(GATEWAY_KEY.encode(), body + stamp.encode(), hashlib.sha256).hexdigest()
    response = unguarded.test_client().post(
        "/sms/gateway",
        data=body,
        headers={
            "Content-Type": "application/json",
            "X-Timestamp": stamp,
            "X-Signature": signature,
        },
    )
    assert response.status_code == 400
    assert store["messages"].count_where("direction = 'in'") == 0


def test_simulator_json_with_a_lone_surrogate_is_a_400(officer, store):
    before = store["messages"].count
    response = officer.post(
        "/simulator/api/sms",
        data='{"phone": "+84912000405", "body": "HEN \\ud800"}',
        content_type="application/json",
    )
    assert response.status_code == 400
    assert store["messages"].count == before
