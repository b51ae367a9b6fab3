"""Outbound SMS leave through their own commune's Twilio number, never another's."""

import pytest
import time_machine

from app import channels, communes
from app.delivery import messages, outbox
from app.infra.config import LOCAL_ACCOUNT_SID
from db import transaction
from tests.conftest import DAY_HOUR, TEST_AUTH_TOKEN, send_due
from tests.fakes.twilio_api import FakeTwilioAPI

PHONE = "+84912345678"
FIRST = "+84280000001"
SECOND = "+842773000111"


@pytest.fixture
def fake(app):
    with (
        time_machine.travel(DAY_HOUR, tick=False),
        FakeTwilioAPI(LOCAL_ACCOUNT_SID, TEST_AUTH_TOKEN) as api,
    ):
        app.config.update(
            SMS_TRANSPORT="twilio",
            TWILIO_API_BASE_URL=api.base_url,
            TWILIO_ACCOUNT_SID=LOCAL_ACCOUNT_SID,
            TWILIO_FROM_NUMBER=FIRST,
        )
        with app.app_context():
            yield api


def _queue(db, commune, body):
    with transaction(db), communes.bound(commune):
        return outbox.enqueue(db, PHONE, body, kind="answer")


def test_each_communes_sms_leaves_from_its_own_number_and_is_logged_in_it(db, fake):
    with transaction(db):
        second = communes.create(db, "TANHOA", "Xã Tân Hòa")
        channels.add_twilio(db, second, SECOND)
    first = communes.first_commune(db)
    one = _queue(db, first, "Xa Phu Lam: mot")
    two = _queue(db, second, "Xa Tan Hoa: hai")
    assert send_due(db) == 2
    sent = {message["body"]: message["from"] for message in fake.messages}
    assert sent == {"Xa Phu Lam: mot": FIRST, "Xa Tan Hoa: hai": SECOND}
    logged = {
        row["id"]: messages.get(db, outbox.get(db, row["id"])["message_id"])["commune_id"]
        for row in (one, two)
    }
    assert logged == {one["id"]: first.id, two["id"]: second.id}


def test_a_commune_without_a_number_never_sends_from_another_communes(db, fake):
    with transaction(db):
        second = communes.create(db, "TANHOA", "Xã Tân Hòa")
    row = _queue(db, second, "Xa Tan Hoa: hai")
    assert send_due(db) == 0
    assert fake.messages == []
    stored = outbox.get(db, row["id"])
    assert (stored["status"], stored["last_error"]) == (
        "cancelled",
        "the commune has no twilio channel to send from",
    )
