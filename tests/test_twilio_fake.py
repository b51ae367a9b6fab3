import pytest
from twilio.base.exceptions import TwilioRestException

from app.twilio_rest import rest_client
from tests.fakes.twilio_api import FakeTwilioAPI

SID, TOKEN = "AC" + "1" * 32, "secret-token"


@pytest.fixture
def fake():
    with FakeTwilioAPI(SID, TOKEN) as server:
        yield server


def config(fake, token=TOKEN):
    return {
        "TWILIO_ACCOUNT_SID": SID,
        "TWILIO_AUTH_TOKEN": token,
        "TWILIO_API_BASE_URL": fake.base_url,
    }


def test_the_real_client_sends_a_message_to_the_fake(fake):
    message = rest_client(config(fake)).messages.create(
        to="+84912345678", from_="+84000000000", body="Xa Phu Lam: test"
    )
    assert message.sid.startswith("SM")
    assert [m["body"] for m in fake.messages] == ["Xa Phu Lam: test"]


def test_the_fake_checks_credentials(fake):
    with pytest.raises(TwilioRestException) as info:
        rest_client(config(fake, token="wrong")).calls.create(
            to="+84912345678", from_="+84000000000", url="https://x.example/voice/incoming"
        )
    assert info.value.status == 401
    assert fake.calls == []


def test_injected_failures_surface_as_rest_errors(fake):
    fake.fail_next(1, status=503)
    client = rest_client(config(fake))
    with pytest.raises(TwilioRestException) as info:
        client.messages.create(to="+84912345678", from_="+84000000000", body="x")
    assert info.value.status == 503
    client.messages.create(to="+84912345678", from_="+84000000000", body="y")
    assert [m["body"] for m in fake.messages] == ["y"]
