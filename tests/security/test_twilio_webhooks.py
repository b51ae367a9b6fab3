"""Twilio webhooks: only signed form bodies, signed for this very URL, ever reach the channels."""

import io
import re

import pytest
from twilio.request_validator import RequestValidator

from app import create_app
from tests.conftest import PUBLIC_BASE_URL, TEST_AUTH_TOKEN, twilio_signature

FORGED = {
    "MessageSid": "SM" + "e" * 32,
    "From": "+84909111222",
    "To": "+84000000000",
    "Body": "HUY",
}


def twilio_routes(app):
    """Every route behind the Twilio signature check, found from the URL map."""
    paths = []
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith(("/sms/twilio", "/voice/")) and "POST" in rule.methods:
            path = re.sub(r"<int:[^>]+>", "1", rule.rule)
            paths.append(re.sub(r"<[^>]+>", "VNEID", path))
    assert "/sms/twilio" in paths and "/voice/incoming" in paths
    return sorted(set(paths))


def stored(store):
    return {table: store[table].count for table in ("messages", "requests", "call_steps")}


@pytest.mark.parametrize("kind", ["multipart", "json", "text"])
def test_a_body_the_signature_does_not_cover_is_refused_with_415(app, client, store, kind):
    before = stored(store)
    for path in twilio_routes(app):
        # Signed over the bare URL, which is all Twilio's signature covers for such bodies.
        headers = {"X-Twilio-Signature": twilio_signature(PUBLIC_BASE_URL + path, {})}
        if kind == "multipart":
            body = {**FORGED, "upload": (io.BytesIO(b"x"), "x.txt")}
            response = client.post(
                path, data=body, headers=headers, content_type="multipart/form-data"
            )
        elif kind == "json":
            response = client.post(path, json=FORGED, headers=headers)
        else:
            response = client.post(
                path, data="Body=HUY", headers=headers, content_type="text/plain"
            )
        assert response.status_code == 415, (path, response.status_code)
    assert stored(store) == before


def test_a_multipart_body_signed_over_the_bare_url_stores_nothing(client, store, text_in):
    text_in("HEN Phu Hoa A", phone=FORGED["From"])
    before = stored(store)
    response = client.post(
        "/sms/twilio",
        data=FORGED,
        content_type="multipart/form-data",
        headers={"X-Twilio-Signature": twilio_signature(PUBLIC_BASE_URL + "/sms/twilio", {})},
    )
    assert response.status_code == 415
    assert stored(store) == before
    assert store["requests"].count_where("status = 'cancelled'") == 0


FORWARDED = {
    "X-Forwarded-Host": "other-app.example",
    "X-Forwarded-Proto": "https",
    "X-Forwarded-Path": "/sms/twilio",
    "X-Forwarded-For": "203.0.113.9",
}


@pytest.mark.parametrize("trusted_proxies", [0, 1])
def test_a_signature_made_for_another_apps_url_never_validates_here(app, store, trusted_proxies):
    served = create_app({**app.config, "TRUSTED_PROXIES": trusted_proxies})
    signed_elsewhere = twilio_signature("https://other-app.example/sms/twilio", FORGED)
    response = served.test_client().post(
        "/sms/twilio", data=FORGED, headers={"X-Twilio-Signature": signed_elsewhere, **FORWARDED}
    )
    assert response.status_code == 403
    assert store["messages"].count == 0


def test_a_signature_made_for_another_endpoint_here_never_validates_on_this_one(client, store):
    status = {"CallSid": "CA" + "1" * 32, "CallStatus": "completed", "From": "+84909111222"}
    signed_for_status = twilio_signature(PUBLIC_BASE_URL + "/voice/status", status)
    response = client.post(
        "/voice/incoming",
        data=status,
        headers={
            "X-Twilio-Signature": signed_for_status,
            "X-Forwarded-Path": "/voice/status",
            "X-Forwarded-Host": "hamlet.example.org",
            "X-Forwarded-Proto": "https",
        },
    )
    assert response.status_code == 403
    assert store["call_steps"].count == 0


def test_behind_a_trusted_proxy_twilio_still_signs_the_public_url(app, store):
    served = create_app({**app.config, "TRUSTED_PROXIES": 1})
    signature = twilio_signature(PUBLIC_BASE_URL + "/sms/twilio", FORGED)
    response = served.test_client().post(
        "/sms/twilio",
        data=FORGED,
        headers={"X-Twilio-Signature": signature, "X-Forwarded-Proto": "https", **FORWARDED},
        base_url="http://127.0.0.1:8000",
    )
    assert response.status_code == 200
    assert store["messages"].count_where("direction = 'in'") == 1


def test_the_signature_is_computed_once_per_request(client, monkeypatch):
    computed = []
    real = RequestValidator.compute_signature

    def counting(self, uri, params):
        computed.append(uri)
        return real(self, uri, params)

    monkeypatch.setattr(RequestValidator, "compute_signature", counting)
    signature = real(RequestValidator(TEST_AUTH_TOKEN), PUBLIC_BASE_URL + "/sms/twilio", FORGED)
    response = client.post(
        "/sms/twilio",
        data=FORGED,
        headers={"X-Twilio-Signature": signature, **FORWARDED},
    )
    assert response.status_code == 200
    assert computed == [PUBLIC_BASE_URL + "/sms/twilio"]
