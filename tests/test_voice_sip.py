"""Calls that reach the menu through a Twilio SIP Domain (a local number on a GSM gateway).

Twilio posts such a call to the domain's voice URL with the INVITE's From header in From
and the INVITE's URI in To, plus SipDomain, SipCallId and SipSourceIp
(https://www.twilio.com/docs/voice/api/sip-twiml).
"""

import pytest

from app import channels, communes, residents
from app.catalogue import hamlets
from db import transaction
from tests.test_voice import MOBILE, Call, fields, prompt, rows

SIP_FIELDS = {
    "To": "sip:hotline@phulam.sip.twilio.com",
    "SipDomain": "phulam.sip.twilio.com",
    "SipDomainSid": "SD" + "0" * 32,
    "SipCallId": "3c26b8a1f0b5@10.0.0.5",
    "SipSourceIp": "203.0.113.5",
}


@pytest.fixture(autouse=True)
def routed_domain(runner):
    """The first commune's SIP Domain, routed to it as an installer would."""
    args = ["channel", "add", "--sip-domain", SIP_FIELDS["SipDomain"]]
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output


def sip_call(twilio_post, caller_id, call_sid="CA" + "5" * 32):
    return Call(twilio_post, phone=caller_id, call_sid=call_sid, **SIP_FIELDS)


@pytest.mark.parametrize(
    "caller_id",
    [
        "sip:+84912345678@gw.example",
        "sip:0912345678@10.0.0.5",
        '"Ba Lan" <sip:0912345678@gw.example>;tag=a6c85cf',
    ],
)
def test_a_sip_caller_is_recognised_by_the_number_in_the_uri(db, twilio_post, caller_id):
    hamlet = next(row for row in hamlets.active(db) if row["name"] == "Phú Hòa A")
    with transaction(db):
        resident = residents.find_or_create(db, MOBILE, hamlet_id=hamlet["id"])
    call = sip_call(twilio_post, caller_id)
    call.start()
    call.press("1")
    assert call.hears("ấp Phú Hòa A")
    call.press("1")
    [request] = rows(db, "requests")
    assert request["resident_id"] == resident["id"]
    assert db["calls"].get(call.call_sid)["phone"] == MOBILE
    [copy] = rows(db, "outbox")
    assert (copy["phone"], copy["kind"]) == (MOBILE, "voice_copy")


def test_a_new_sip_caller_gets_a_resident_with_the_normalised_number(db, twilio_post):
    call = sip_call(twilio_post, "sip:0912345678@10.0.0.5")
    call.start()
    call.press("1")
    call.press("1")
    call.press("1")
    assert residents.by_phone(db, MOBILE) is not None
    assert len(rows(db, "requests")) == 1


@pytest.mark.parametrize(
    "caller_id",
    [
        "sip:anonymous@anonymous.invalid",
        '"Anonymous" <sip:anonymous@anonymous.invalid>;tag=1928301774',
        "sip:1001@10.0.0.5",
        "sip:@gw.example",
    ],
)
def test_an_anonymous_or_unparseable_sip_caller_is_an_unknown_caller(db, twilio_post, caller_id):
    call = sip_call(twilio_post, caller_id)
    call.start()
    call.press("1")
    assert call.said[0] == prompt("no_number")
    call.press("2")  # the guidance menu still works for them
    assert call.gather is not None
    assert db["calls"].get(call.call_sid)["phone"] is None
    assert rows(db, "requests") == []
    assert rows(db, "residents") == []


def test_a_call_to_a_named_user_of_a_domain_no_commune_owns_is_refused(db, twilio_post):
    params = fields(
        "CA" + "6" * 32,
        "sip:+84912345678@gw.example",
        **{
            **SIP_FIELDS,
            "SipDomain": "other.sip.twilio.com",
            "To": "sip:hotline@other.sip.twilio.com",
        },
    )
    response = twilio_post("/voice/incoming", params)
    assert response.status_code == 404
    assert rows(db, "calls") == [] and rows(db, "residents") == []


def test_a_call_to_a_number_on_an_unrouted_domain_reaches_the_commune_of_that_number(
    db, twilio_post
):
    with transaction(db):
        second = communes.create(db, "TANHOA", "Xã Tân Hòa")
        channels.add_twilio(db, second, "+842773000111")
    to = "sip:+842773000111@other.sip.twilio.com"
    call = Call(
        twilio_post,
        phone="sip:+84912345678@gw.example",
        **{**SIP_FIELDS, "SipDomain": "other.sip.twilio.com", "To": to},
    )
    call.start()
    assert db["calls"].get(call.call_sid)["commune_id"] == second.id
