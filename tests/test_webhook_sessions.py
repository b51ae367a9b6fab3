"""The webhooks machines call open no cookie session; the staff console keeps its own."""

import pytest
from flask import session
from flask.sessions import NullSession, SecureCookieSession

from tests.conftest import assert_empty_twiml


@pytest.mark.parametrize(
    "path", ["/sms/twilio", "/sms/gateway", "/sms/gateway/3", "/voice/incoming", "/voice/menu"]
)
def test_a_webhook_gets_the_null_session(app, path):
    with app.test_request_context(path, method="POST"):
        assert isinstance(session, NullSession)
        with pytest.raises(RuntimeError):
            session["lang"] = "en"


@pytest.mark.parametrize("path", ["/", "/login", "/requests", "/voice-prompts", "/smsx"])
def test_staff_pages_keep_the_cookie_session(app, path):
    with app.test_request_context(path):
        assert type(session._get_current_object()) is SecureCookieSession


def test_a_signed_in_officer_still_signs_in_and_a_webhook_ignores_the_cookie(
    staff_client, twilio_post
):
    assert staff_client.get("/").status_code == 200
    response = twilio_post(
        "/sms/twilio",
        {
            "MessageSid": "SM" + "c" * 32,
            "From": "+84912000222",
            "To": "+84000000000",
            "Body": "LICH",
        },
    )
    assert_empty_twiml(response)
    assert "Set-Cookie" not in response.headers
