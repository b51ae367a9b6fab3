"""Huge bodies and forms of countless fields are refused before the app reads or splits them."""

import io
import time

import pytest

from tests.conftest import PUBLIC_BASE_URL, twilio_signature

# The attack from the report: 2 MB of form, 200,000 fields, no valid signature needed.
FLOOD = b"&".join(b"f%d=x" % number for number in range(200_000))[: 2 * 1024 * 1024]
# Under every size cap, but 20,000 fields.
MANY_FIELDS = b"&".join(b"a=" for _ in range(20_000))
ROUTES = [
    "/sms/twilio",
    "/sms/twilio/status",
    "/voice/incoming",
    "/voice/status",
    "/sms/gateway",
    "/login",
    "/open311/v2/requests.json",
]


@pytest.fixture(autouse=True)
def gateway_configured(app):
    """A deployment with the Android gateway, whose webhook must read the body to check it."""
    app.config["SMS_GATEWAY_SIGNING_KEY"] = "gateway-signing-key"


class CountingStream(io.BytesIO):
    """The request body, counting the bytes the app reads from it."""

    read_bytes = 0

    def read(self, size=-1):
        chunk = super().read(size)
        self.read_bytes += len(chunk)
        return chunk

    def readinto(self, buffer):
        count = super().readinto(buffer)
        self.read_bytes += count
        return count

    def readline(self, size=-1):
        line = super().readline(size)
        self.read_bytes += len(line)
        return line


def post_raw(app, path, body, *, length=True, content_type="application/x-www-form-urlencoded"):
    """POST BODY through the WSGI app; return (status, bytes the app read, seconds in the app)."""
    stream = CountingStream(body)
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": path,
        "SERVER_NAME": "hamlet.example.org",
        "SERVER_PORT": "443",
        "wsgi.url_scheme": "https",
        "wsgi.input": stream,
        "CONTENT_TYPE": content_type,
        "HTTP_X_TWILIO_SIGNATURE": "bogus",
        # The gateway's headers, bogus too: its check has to read the body.
        "HTTP_X_SIGNATURE": "00" * 32,
        "HTTP_X_TIMESTAMP": str(int(time.time())),
        "REMOTE_ADDR": "203.0.113.5",
    }
    if length:
        environ["CONTENT_LENGTH"] = str(len(body))
    else:
        # A chunked upload: no length, the server marks the stream as ending.
        environ["wsgi.input_terminated"] = True
    from werkzeug.test import EnvironBuilder

    full = EnvironBuilder(path=path, method="POST").get_environ()
    full.pop("CONTENT_LENGTH", None)
    full.update(environ)
    statuses = []
    start = time.process_time()
    chunks = app.wsgi_app(full, lambda status, headers, exc_info=None: statuses.append(status))
    b"".join(chunks)
    spent = time.process_time() - start
    return int(statuses[0].split()[0]), stream.read_bytes, spent


@pytest.mark.parametrize("path", ROUTES)
def test_a_2_mb_form_with_a_content_length_is_refused_without_reading_a_byte(app, path):
    status, read, _spent = post_raw(app, path, FLOOD)
    assert (status, read) == (413, 0)


@pytest.mark.parametrize("path", ROUTES)
def test_a_2_mb_chunked_body_is_never_read_past_its_routes_limit(app, path):
    status, read, _spent = post_raw(app, path, FLOOD, length=False)
    # Werkzeug stops at the limit; what it read is then too many fields (413) or, for the
    # gateway's raw JSON, a body whose signature cannot match (403).
    assert status in (403, 413)
    assert read <= 64 * 1024


@pytest.mark.parametrize("path", [route for route in ROUTES if route != "/sms/gateway"])
def test_a_small_form_of_20000_fields_is_refused_before_it_is_split(app, path, monkeypatch):
    from app.infra.web import limits

    split = []
    real = limits.parse_qsl
    monkeypatch.setattr(limits, "parse_qsl", lambda *a, **k: split.append(1) or real(*a, **k))
    status, _read, spent = post_raw(app, path, MANY_FIELDS)
    assert status == 413
    assert split == []
    # Not a speed target (that is in bench/body_limits_bench.py): a generous bound that a
    # parse of the fields would still take on a loaded machine.
    assert spent < 2.0


def test_a_multipart_form_of_many_parts_is_refused_on_a_staff_page(staff_client):
    fields = {f"f{number}": "x" for number in range(1500)}
    response = staff_client.post("/requests/new", data=fields, content_type="multipart/form-data")
    assert response.status_code == 413


def test_real_provider_requests_and_staff_forms_still_fit(twilio_post, staff_client, store):
    params = {
        "MessageSid": "SM" + "1" * 32,
        "From": "+84912000111",
        "To": "+84000000000",
        "Body": "HEN Phu Hoa A " + "a" * 1500,
        **{f"Extra{number}": "v" * 40 for number in range(40)},
    }
    assert twilio_post("/sms/twilio", params).status_code == 200
    # A trip sheet's results: a result and a note for each of 200 visits.
    results = {f"result-{n}": "visited" for n in range(200)}
    results.update({f"note-{n}": "Đã đến nhà, bà khỏe. " * 20 for n in range(200)})
    assert staff_client.post("/trips/1/results", data=results).status_code in (302, 404)


def test_the_simulator_takes_a_two_minute_clip(app):
    from tests.conftest import signed_in_client

    officer = signed_in_client(app, "lan", "staff")
    call = officer.post("/simulator/api/call", json={"phone": "0901234567"}).get_json()
    response = officer.post(
        "/simulator/api/call/record",
        data={
            "phone": "0901234567",
            "call_sid": call["call_sid"],
            "action": "/voice/record",
            "clip": (io.BytesIO(b"\0" * (1536 * 1024)), "clip.webm", "audio/webm"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 200, response.get_json()


def test_a_signed_twilio_webhook_with_a_valid_signature_but_a_flood_is_refused(client, store):
    signature = twilio_signature(PUBLIC_BASE_URL + "/sms/twilio", {})
    response = client.post(
        "/sms/twilio",
        data=FLOOD,
        headers={"X-Twilio-Signature": signature},
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 413
    assert store["messages"].count == 0
