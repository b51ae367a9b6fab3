import pytest
from twilio.base.exceptions import TwilioRestException

from app.infra.twilio_rest import rest_client
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


def test_the_fake_never_dedupes_a_create_on_any_header(fake):
    client = rest_client(config(fake))
    # I-Twilio-Idempotency-Token is a header Twilio sends on its webhooks; its REST API
    # ignores it, so two POSTs are two messages.
    for _ in range(2):
        client.http_client.request(
            "POST",
            f"{fake.base_url}/2010-04-01/Accounts/{SID}/Messages.json",
            data={"To": "+84912345678", "From": "+84000000000", "Body": "x"},
            auth=(SID, TOKEN),
            headers={"I-Twilio-Idempotency-Token": "same-token"},
        )
    assert [m["body"] for m in fake.messages] == ["x", "x"]


def test_a_message_accepted_before_a_500_exists_at_twilio(fake):
    fake.accept_then_fail_next(1, "500")
    client = rest_client(config(fake))
    with pytest.raises(TwilioRestException) as info:
        client.messages.create(to="+84912345678", from_="+84000000000", body="x")
    assert info.value.status == 500
    (created,) = fake.messages
    assert client.messages(created["sid"]).fetch().body == "x"


def test_the_list_filters_by_to_and_from_newest_first_across_pages(fake):
    client = rest_client(config(fake))
    for n in range(7):
        client.messages.create(to="+84912345678", from_="+84000000000", body=f"m{n}")
    client.messages.create(to="+84900000000", from_="+84000000000", body="other")
    listed = client.messages.list(to="+84912345678", from_="+84000000000", page_size=3)
    assert [m.body for m in listed] == [f"m{n}" for n in reversed(range(7))]
    pages = [r for r in fake.requests if r[0] == "GET" and r[1].endswith("/Messages.json")]
    assert len(pages) == 3


def test_date_sent_filters_read_the_day_and_skip_messages_still_queued(fake):
    import datetime as dt

    fake.send_delay = 0
    client = rest_client(config(fake))
    client.messages.create(to="+84912345678", from_="+84000000000", body="today")
    today = dt.datetime.now(dt.UTC).replace(hour=23, minute=59)
    # Twilio reads DateSent> to the day: a time late today still matches a message of today.
    assert [m.body for m in client.messages.list(date_sent_after=today)] == ["today"]
    assert client.messages.list(date_sent_after=today + dt.timedelta(days=1)) == []
    fake.send_delay = 3600
    client.messages.create(to="+84912345678", from_="+84000000000", body="queued")
    assert [m.body for m in client.messages.list(date_sent_after=today)] == ["today"]
    assert {m.body for m in client.messages.list()} == {"today", "queued"}


def test_fetching_an_unknown_message_is_a_404(fake):
    with pytest.raises(TwilioRestException) as info:
        rest_client(config(fake)).messages("SM" + "0" * 32).fetch()
    assert (info.value.status, info.value.code) == (404, 20404)
