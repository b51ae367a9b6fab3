"""The Twilio webhooks: real signatures, retries, opt-out parameters and status callbacks.

The inbound webhook stores the message and answers an empty <Response/>; the worker's step
(run here in process) answers it through the outbox.
"""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.language.texts import is_gsm7
from tests.conftest import (
    EMPTY_RESPONSE,
    PUBLIC_BASE_URL,
    answered_replies,
    assert_empty_twiml,
    send_due,
    twilio_signature,
)

PHONE = "+84912000111"


def _params(body="HEN Tan Phu", sid="SM" + "a" * 32, phone=PHONE, **extra):
    return {"MessageSid": sid, "From": phone, "To": "+84000000000", "Body": body, **extra}


def _replies(app, response, params):
    """The webhook's empty answer, then the replies the worker's step queued for the message."""
    assert_empty_twiml(response)
    return answered_replies(app, f"twilio:{params['MessageSid']}")


def _count(db, table):
    return db[table].count


def test_unsigned_and_forged_requests_get_403_and_create_nothing(client, db):
    unsigned = client.post("/sms/twilio", data=_params())
    forged = client.post(
        "/sms/twilio",
        data=_params(),
        headers={"X-Twilio-Signature": twilio_signature(PUBLIC_BASE_URL + "/sms/twilio", {})},
    )
    wrong_token = client.post(
        "/sms/twilio",
        data=_params(),
        headers={
            "X-Twilio-Signature": twilio_signature(
                PUBLIC_BASE_URL + "/sms/twilio", _params(), token="not-our-token"
            )
        },
    )
    assert [r.status_code for r in (unsigned, forged, wrong_token)] == [403, 403, 403]
    assert (_count(db, "messages"), _count(db, "requests")) == (0, 0)


def test_a_signature_for_a_forwarded_url_is_refused_without_trusted_proxies(client, db):
    # X-Forwarded-* come from the client here: only PUBLIC_BASE_URL plus the path counts.
    params = _params()
    signature = twilio_signature("https://sms.proxy.example/hl/sms/twilio", params)
    response = client.post(
        "/sms/twilio",
        data=params,
        headers={
            "X-Twilio-Signature": signature,
            "X-Forwarded-Host": "sms.proxy.example",
            "X-Forwarded-Proto": "https",
            "X-Forwarded-Path": "/hl/sms/twilio",
        },
    )
    assert response.status_code == 403
    assert _count(db, "messages") == 0


def test_missing_sid_or_sender_is_a_400(twilio_post, db):
    no_sid = _params()
    del no_sid["MessageSid"]
    no_from = _params()
    del no_from["From"]
    assert twilio_post("/sms/twilio", no_sid).status_code == 400
    assert twilio_post("/sms/twilio", no_from).status_code == 400
    assert _count(db, "messages") == 0


def test_retry_with_the_same_sid_answers_empty_and_creates_nothing(app, twilio_post, db):
    first = twilio_post("/sms/twilio", _params())
    [reply] = _replies(app, first, _params())
    tables = ("messages", "requests", "request_events", "outbox", "inbox_waiting")
    counts = {table: _count(db, table) for table in tables}
    second = twilio_post("/sms/twilio", _params())
    assert second.data == first.data == EMPTY_RESPONSE
    assert _replies(app, second, _params()) == [reply]
    assert {table: _count(db, table) for table in counts} == counts
    assert _count(db, "requests") == 1


def test_a_retry_after_the_reply_was_sent_sends_no_second_reply(app, twilio_post, db):
    _replies(app, twilio_post("/sms/twilio", _params()), _params())
    with app.app_context():
        assert send_due(db) == 1
    assert _replies(app, twilio_post("/sms/twilio", _params()), _params())
    with app.app_context():
        assert send_due(db) == 0
    assert [row["status"] for row in db["outbox"].rows] == ["sent"]
    assert db["messages"].count_where("direction = 'out'") == 1


def test_the_webhook_only_stores_and_the_worker_answers_through_the_outbox(app, twilio_post, db):
    response = twilio_post("/sms/twilio", _params())
    assert_empty_twiml(response)
    [inbound] = db["messages"].rows
    assert (inbound["intent"], inbound["resident_id"]) == (None, None)
    assert [row["message_id"] for row in db["inbox_waiting"].rows] == [inbound["id"]]
    assert _count(db, "outbox") == _count(db, "requests") == 0

    [reply] = answered_replies(app, f"twilio:{_params()['MessageSid']}")
    assert _count(db, "inbox_waiting") == 0
    [queued] = db["outbox"].rows
    assert (queued["kind"], queued["reply_to_id"], queued["body"]) == (
        "reply",
        inbound["id"],
        reply,
    )
    assert db["messages"].get(inbound["id"])["intent"] is not None
    with app.app_context():
        assert send_due(db) == 1
    [sent] = db["messages"].rows_where("direction = 'out'")
    assert (sent["outbox_id"], sent["body"]) == (queued["id"], reply)


def _outbound(db, sid, status="sent"):
    from app.delivery import messages

    return messages.record_outbound(
        db, provider="twilio", provider_id=sid, phone=PHONE, body="x", status=status
    )


def test_late_status_callbacks_never_move_a_message_back(twilio_post, db):
    row = _outbound(db, "SM1")
    twilio_post("/sms/twilio/status", {"MessageSid": "SM1", "MessageStatus": "delivered"})
    twilio_post("/sms/twilio/status", {"MessageSid": "SM1", "MessageStatus": "sent"})
    assert db["messages"].get(row["id"])["status"] == "delivered"


def test_status_for_an_unknown_message_is_accepted_and_ignored(twilio_post, db):
    response = twilio_post("/sms/twilio/status", {"MessageSid": "SMnone", "MessageStatus": "sent"})
    assert response.status_code == 204
    assert _count(db, "messages") == 0


def test_status_callback_without_status_is_a_400(twilio_post):
    assert twilio_post("/sms/twilio/status", {"MessageSid": "SM1"}).status_code == 400


def test_status_callback_must_be_signed(client):
    callback = {"MessageSid": "SM1", "MessageStatus": "sent"}
    response = client.post("/sms/twilio/status", data=callback)
    assert response.status_code == 403


def test_error_21610_opts_the_resident_out(twilio_post, text_in, db):
    text_in("XEM")
    _outbound(db, "SM2")
    twilio_post(
        "/sms/twilio/status",
        {"MessageSid": "SM2", "MessageStatus": "undelivered", "ErrorCode": "21610", "To": PHONE},
    )
    resident = next(iter(db["residents"].rows_where("phone = ?", [PHONE])))
    assert resident["opted_out"] == 1
    message = next(iter(db["messages"].rows_where("provider_id = 'SM2'")))
    assert (message["status"], message["error_code"]) == ("undelivered", "21610")


def test_error_21614_marks_the_number_as_not_sms_capable(twilio_post, text_in, db):
    text_in("XEM")
    _outbound(db, "SM3")
    twilio_post(
        "/sms/twilio/status",
        {"MessageSid": "SM3", "MessageStatus": "failed", "ErrorCode": "21614", "To": PHONE},
    )
    resident = next(iter(db["residents"].rows_where("phone = ?", [PHONE])))
    assert "21614" in resident["notes"] and resident["flagged_at"]
    assert resident["opted_out"] == 0


def test_twilio_opt_out_type_stop_and_start_are_honoured_silently(app, twilio_post, db):
    stop_params = _params("Stop", sid="SM" + "1" * 32, OptOutType="STOP")
    assert _replies(app, twilio_post("/sms/twilio", stop_params), stop_params) == []
    resident = next(iter(db["residents"].rows_where("phone = ?", [PHONE])))
    assert resident["opted_out"] == 1
    start_params = _params("Start", sid="SM" + "2" * 32, OptOutType="START")
    assert _replies(app, twilio_post("/sms/twilio", start_params), start_params) == []
    assert db["residents"].get(resident["id"])["opted_out"] == 0


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(body=st.text(max_size=1200), number=st.integers(min_value=0, max_value=9_999_999))
def test_any_unicode_body_gets_200_and_valid_sms_replies(app, twilio_post, body, number):
    params = _params(body, sid=f"SM{number:032d}", phone=f"+849{number:08d}")
    for text in _replies(app, twilio_post("/sms/twilio", params), params):
        assert text.startswith("Xa Phu Lam: ")
        assert len(text) <= 160 and is_gsm7(text)


OUR_NUMBER = "+84000000000"
FIELDS = ["MessageSid", "From", "To", "Body", "OptOutType", "AccountSid", "NumMedia"]


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    present=st.sets(st.sampled_from(FIELDS)),
    values=st.fixed_dictionaries(
        {
            field: st.one_of(st.just(OUR_NUMBER), st.text(max_size=40))
            if field == "To"
            else st.text(max_size=40)
            for field in FIELDS
        }
    ),
    number=st.integers(min_value=0, max_value=9_999_999),
)
def test_any_missing_or_odd_field_gets_400_or_valid_twiml_never_500(
    app, twilio_post, present, values, number
):
    params = {field: values[field] for field in present}
    if "MessageSid" in params:
        params["MessageSid"] = params["MessageSid"] or ""
    response = twilio_post("/sms/twilio", params)
    required = all(params.get(field) for field in ("MessageSid", "From", "To"))
    if not required:
        assert response.status_code == 400
        return
    if params["To"] != OUR_NUMBER:
        assert response.status_code == 404  # no commune owns the number
        return
    for text in _replies(app, response, params):
        assert text.startswith("Xa Phu Lam: ") and len(text) <= 160
