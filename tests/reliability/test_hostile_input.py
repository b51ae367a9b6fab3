"""Hostile input: fuzzed parameters, huge and broken bodies, wrong content types, forged signatures.

Nothing a caller sends may produce a 500; a forged or missing Twilio signature gets 403.
Uses the Flask test client for speed; every webhook route is found from the URL map.
"""

import hashlib
import hmac
import json
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from twilio.request_validator import RequestValidator
from werkzeug.routing.converters import NumberConverter

from app import communes, create_app
from app.accounts import apikeys
from app.seed.loader import seed
from db import connect, migrate, transaction

TOKEN = "fuzz-auth-token-0123456789abcdef"
BASE = "https://hamlet.example.org"
GATEWAY_KEY = "fuzz-gateway-signing-key"
MEGABYTE = 1024 * 1024
FUZZ = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
TWILIO_FIELDS = [
    "MessageSid",
    "SmsSid",
    "AccountSid",
    "From",
    "To",
    "Body",
    "NumMedia",
    "OptOutType",
    "MessageStatus",
    "SmsStatus",
    "ErrorCode",
    "ErrorMessage",
    "CallSid",
    "CallStatus",
    "Digits",
    "SpeechResult",
    "RecordingUrl",
    "RecordingSid",
    "RecordingDuration",
    "RecordingStatus",
    "Caller",
    "Direction",
]
OPEN311_FIELDS = [
    "service_code",
    "phone",
    "first_name",
    "last_name",
    "description",
    "address_string",
    "attribute[hamlet]",
    "attribute[reason]",
    "attribute[age_75_plus]",
    "status",
    "start_date",
    "end_date",
    "page",
    "page_size",
    "service_request_id",
    "lat",
    "long",
    "email",
]
values = st.one_of(
    st.text(max_size=300),
    st.sampled_from(["", "0", "1", "9", "#", "*", "-1", "99999999999999999999", "null"]),
    st.sampled_from(["+84901234567", "0901234567", "+1", "abc", "+84" + "9" * 40]),
    st.sampled_from(["HEN Phu Hoa A", "HUY", "STOP", "START", "%00", "\x00", "🙂" * 50]),
    st.sampled_from(["2026-13-45", "2026-12-02T07:30:00+07:00", "1e309", "NaN"]),
)
twilio_params = st.dictionaries(
    st.one_of(st.sampled_from(TWILIO_FIELDS), st.text(min_size=1, max_size=20)), values, max_size=12
)
open311_params = st.dictionaries(
    st.one_of(st.sampled_from(OPEN311_FIELDS), st.text(min_size=1, max_size=20)),
    values,
    max_size=12,
)
CONTENT_TYPES = [
    "application/x-www-form-urlencoded",
    "application/x-www-form-urlencoded; charset=latin-1",
    "application/json",
    "text/plain",
    "text/xml",
    "multipart/form-data",
    "multipart/form-data; boundary=zzz",
    "application/octet-stream",
    "",
]
raw_bodies = st.one_of(
    st.binary(max_size=2000),
    st.sampled_from(
        [
            b"Body=%FF%FE%FD&From=%2B84901234567",
            b"\xff\xfe\xfd\x80\x81",
            b"Body=\xc3\x28&MessageSid=SM1",
            b"%%%%&&&===",
            b'{"event": "sms:received", "payload": {"message": "\xff"}}',
            b'--zzz\r\nContent-Disposition: form-data; name="Body"\r\n\r\n\xff\r\n--zzz--',
            b"[]",
            b"null",
        ]
    ),
)


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    db_path = tmp_path_factory.mktemp("fuzz") / "fuzz.db"
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_PATH": str(db_path),
            "SECRET_KEY": "fuzz-secret",
            "TWILIO_AUTH_TOKEN": TOKEN,
            "PUBLIC_BASE_URL": BASE,
            "SMS_GATEWAY_SIGNING_KEY": GATEWAY_KEY,
        }
    )
    migrate(db_path)
    with app.app_context():
        database = connect(db_path)
        seed(database)
        with transaction(database):
            app.config["FUZZ_API_KEY"] = apikeys.create_key(
                database, communes.first_commune(database), "fuzz"
            )
        database.conn.close()
    return app


@pytest.fixture(scope="module")
def client(app):
    return app.test_client()


def concrete(app, rule):
    """A path for RULE with every <variable> filled with a plausible value."""
    values = {}
    for argument in rule.arguments:
        converter = rule._converters.get(argument)
        if argument in (rule.defaults or {}):
            values[argument] = rule.defaults[argument]
        elif hasattr(converter, "items"):
            values[argument] = sorted(converter.items)[0]
        elif isinstance(converter, NumberConverter):
            values[argument] = 1
        else:
            values[argument] = "x"
    adapter = app.url_map.bind("localhost")
    return adapter.build(rule.endpoint, values, method=sorted(rule.methods)[0])


def routes(app, prefixes, method):
    """Concrete paths of every rule under PREFIXES that accepts METHOD."""
    found = set()
    for rule in app.url_map.iter_rules():
        if method in rule.methods and rule.rule.startswith(prefixes):
            found.add(concrete(app, rule))
    return sorted(found)


def twilio_routes(app):
    return [p for p in routes(app, ("/sms/twilio", "/voice/"), "POST")]


def signed_headers(path, params, query=""):
    url = BASE + path + (f"?{query}" if query else "")
    return {"X-Twilio-Signature": RequestValidator(TOKEN).compute_signature(url, params)}


def test_the_webhook_routes_are_all_covered(app):
    paths = set(twilio_routes(app))
    assert {"/sms/twilio", "/voice/incoming"} <= paths, paths


@pytest.mark.parametrize("signature", ["", "forged", "AAAAAAAAAAAAAAAAAAAAAAAAAAA="])
def test_forged_or_missing_twilio_signatures_are_refused_on_every_webhook(app, client, signature):
    params = {"MessageSid": "SM" + "1" * 32, "CallSid": "CA" + "1" * 32, "From": "+84901234567"}
    for path in twilio_routes(app):
        headers = {"X-Twilio-Signature": signature} if signature else {}
        reply = client.post(path, data=params, headers=headers)
        assert reply.status_code == 403, (path, reply.status_code)


def test_a_signature_for_another_token_or_url_is_refused(app, client):
    params = {"MessageSid": "SM" + "2" * 32, "From": "+84901234567", "Body": "HEN"}
    for path in twilio_routes(app):
        other_token = RequestValidator("not-our-token").compute_signature(BASE + path, params)
        other_url = RequestValidator(TOKEN).compute_signature("https://evil.example" + path, params)
        for signature in (other_token, other_url):
            reply = client.post(path, data=params, headers={"X-Twilio-Signature": signature})
            assert reply.status_code == 403, path


def test_the_gateway_webhook_takes_only_its_own_fresh_signature(app, client):
    body = json.dumps({"event": "system:ping", "payload": {}}).encode()

    def post(key, stamp):
        signature = hmac.new(key, body + stamp.encode(), hashlib.sha256).hexdigest()
        headers = {"X-Signature": signature, "X-Timestamp": stamp}
        return client.post(
            "/sms/gateway", data=body, content_type="application/json", headers=headers
        )

    now = str(int(time.time()))
    # Six minutes old: past the 5-minute window the gateway's timestamp is allowed.
    stale = str(int(time.time()) - 360)
    unsigned = client.post("/sms/gateway", data=body, content_type="application/json")
    assert unsigned.status_code == 403
    assert post(b"not-the-key", now).status_code == 403
    assert post(GATEWAY_KEY.encode(), stale).status_code == 403
    # The same ping, signed with the key and a fresh timestamp, is let in: the refusals above
    # were the signature's, not the route's.
    assert post(GATEWAY_KEY.encode(), now).status_code == 200


@FUZZ
@given(params=twilio_params, which=st.integers(min_value=0, max_value=50))
def test_signed_twilio_webhooks_with_any_parameters_never_fail_with_500(app, client, params, which):
    paths = twilio_routes(app)
    path = paths[which % len(paths)]
    reply = client.post(path, data=params, headers=signed_headers(path, params))
    assert reply.status_code < 500, (path, params, reply.get_data(as_text=True)[:500])
    assert reply.status_code != 403, (path, params)


@FUZZ
@given(body=raw_bodies, content_type=st.sampled_from(CONTENT_TYPES), which=st.integers(0, 50))
def test_broken_bodies_and_wrong_content_types_never_fail_with_500(
    app, client, body, content_type, which
):
    paths = twilio_routes(app) + ["/sms/gateway", "/open311/v2/requests.json", "/login"]
    path = paths[which % len(paths)]
    # Signed over the URL alone, which is what the validator checks for a non-form body.
    headers = signed_headers(path, {})
    reply = client.post(path, data=body, headers={**headers, "Content-Type": content_type})
    assert reply.status_code < 500, (path, content_type, body[:100])


@pytest.mark.parametrize(
    "body",
    [
        b"Body=" + b"a" * (MEGABYTE - 5),
        b"Body=" + b"%FF" * (MEGABYTE // 3 - 2),
        b"\xff" * MEGABYTE,
    ],
    ids=["one-megabyte-text", "one-megabyte-invalid-utf8-escapes", "one-megabyte-raw-bytes"],
)
def test_one_megabyte_bodies_never_fail_with_500(app, client, body):
    for path in twilio_routes(app) + ["/sms/gateway", "/open311/v2/requests.json", "/login"]:
        for content_type in ("application/x-www-form-urlencoded", "application/json"):
            headers = {**signed_headers(path, {}), "Content-Type": content_type}
            reply = client.post(path, data=body, headers=headers)
            assert reply.status_code < 500, (path, content_type, reply.status_code)


def test_a_signed_one_megabyte_sms_body_is_answered_without_500(app, client):
    params = {
        "MessageSid": "SM" + "3" * 32,
        "From": "+84901234567",
        "To": "+84287300000",
        "Body": "HEN " + "Phú Hòa A " * (MEGABYTE // 12),
    }
    reply = client.post("/sms/twilio", data=params, headers=signed_headers("/sms/twilio", params))
    assert reply.status_code < 500
    assert reply.status_code != 403


@FUZZ
@given(params=open311_params, method=st.sampled_from(["GET", "POST"]), with_key=st.booleans())
def test_open311_calls_with_any_parameters_never_fail_with_500(
    app, client, params, method, with_key
):
    headers = {"X-Api-Key": app.config["FUZZ_API_KEY"]} if with_key else {}
    paths = ["/open311/v2/requests.json", "/open311/v2/requests.xml"]
    if method == "GET":
        paths += routes(app, ("/open311/v2/",), "GET")
        for path in paths:
            reply = client.get(path, query_string=params, headers=headers)
            assert reply.status_code < 500, (path, params, reply.get_data(as_text=True)[:300])
    else:
        for path in paths:
            reply = client.post(path, data=params, headers=headers)
            assert reply.status_code < 500, (path, params, reply.get_data(as_text=True)[:300])


@FUZZ
@given(
    params=st.dictionaries(st.sampled_from(["username", "password", "csrf_token", "next"]), values)
)
def test_the_login_form_with_any_fields_never_fails_with_500(app, client, params):
    assert client.get("/login", query_string=params).status_code < 500
    assert client.post("/login", data=params).status_code < 500
