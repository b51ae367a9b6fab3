"""The shipped nginx site in front of gunicorn: signatures, proxy headers, limits, slow clients."""

import http.client
import socket
import time
import urllib.parse

import pytest

from bench.harness import AUTH_TOKEN, TWILIO_NUMBER, Service
from bench.slow_clients import SlowClients, probe_health, summary
from tests.conftest import twilio_signature
from tests.deploy.nginx_front import SERVER_NAME, NginxFront
from tests.reliability.support import scalar

pytestmark = pytest.mark.slow
PUBLIC_BASE_URL = f"https://{SERVER_NAME}"


@pytest.fixture(scope="module")
def front(tmp_path_factory):
    """gunicorn as deployed (TRUSTED_PROXIES=1, the public https URL) behind nginx."""
    service = Service(
        tmp_path_factory.mktemp("service"), PUBLIC_BASE_URL=PUBLIC_BASE_URL, TRUSTED_PROXIES=1
    )
    with service, NginxFront(service.port) as nginx:
        nginx.service = service
        yield nginx


def https(front, method, path, *, body=None, headers=None):
    """One request to nginx's TLS port, for Host hamlet.test; return (status, headers, body)."""
    connection = http.client.HTTPSConnection(
        "127.0.0.1", front.https_port, timeout=10, context=front.ssl_context()
    )
    try:
        connection.request(
            method, path, body=body, headers={"Host": SERVER_NAME, **(headers or {})}
        )
        reply = connection.getresponse()
        return reply.status, dict(reply.getheaders()), reply.read()
    finally:
        connection.close()


def signed_sms(url, sid, body="GIO"):
    params = {"MessageSid": sid, "From": "+84912000222", "To": TWILIO_NUMBER, "Body": body}
    headers = {
        "X-Twilio-Signature": twilio_signature(url, params, AUTH_TOKEN),
        "Content-Type": "application/x-www-form-urlencoded",
    }
    return urllib.parse.urlencode(params), headers


def test_a_twilio_signed_webhook_through_nginx_validates(front):
    sid = "SM" + "a1" * 16
    body, headers = signed_sms(f"{PUBLIC_BASE_URL}/sms/twilio", sid)
    status, _, reply = https(front, "POST", "/sms/twilio", body=body, headers=headers)
    assert status == 200, reply
    # Taken at the door: an empty answer once stored; the worker answers from the back.
    assert reply.endswith(b"<Response />"), reply
    stored = "SELECT count(*) FROM messages WHERE provider_id = :sid AND direction = 'in'"
    assert scalar(front.service.db_path, stored, {"sid": sid}) == 1


def test_a_client_sent_forwarded_host_is_overwritten_and_does_not_validate(front):
    # Signed by Twilio for another app's URL, replayed here with that app's host claimed.
    body, headers = signed_sms("https://other-app.example/sms/twilio", "SM" + "b2" * 16)
    headers.update({"X-Forwarded-Host": "other-app.example", "X-Forwarded-Proto": "https"})
    status, _, _ = https(front, "POST", "/sms/twilio", body=body, headers=headers)
    assert status == 403
    # The same holds for a spoofed Host header: nginx sends its own server name upstream.
    headers["Host"] = "other-app.example"
    status, _, _ = https(front, "POST", "/sms/twilio", body=body, headers=headers)
    assert status == 403


def test_healthz_is_allowed_and_metrics_are_not(front):
    status, _, body = https(front, "GET", "/healthz")
    assert status == 200 and b'"database":"ok"' in body
    status, _, _ = https(front, "GET", "/metrics")
    assert status == 404


def test_static_files_are_served_by_nginx_without_reaching_gunicorn(front):
    name = next(path.name for path in (front.prefix / "app" / "static").rglob("*.css"))
    relative = next((front.prefix / "app" / "static").rglob(name)).relative_to(
        front.prefix / "app" / "static"
    )
    status, headers, body = https(front, "GET", f"/static/{relative}")
    assert status == 200 and body
    assert "Expires" in headers
    assert f"/static/{relative}" not in front.service.log_text()


def test_plain_http_redirects_to_https(front):
    connection = http.client.HTTPConnection("127.0.0.1", front.http_port, timeout=10)
    connection.request("GET", "/login", headers={"Host": SERVER_NAME})
    reply = connection.getresponse()
    assert reply.status == 301
    assert reply.getheader("Location") == f"https://{SERVER_NAME}/login"
    connection.close()


def test_a_ten_megabyte_body_gets_413_from_nginx(front):
    size = 10 * 1024 * 1024
    reached_gunicorn = front.service.log_text().count('"POST /sms/twilio')
    context = front.ssl_context()
    raw = socket.create_connection(("127.0.0.1", front.https_port), timeout=10)
    with context.wrap_socket(raw, server_hostname="127.0.0.1") as sock:
        sock.sendall(
            (
                f"POST /sms/twilio HTTP/1.1\r\nHost: {SERVER_NAME}\r\n"
                "Content-Type: application/x-www-form-urlencoded\r\n"
                f"Content-Length: {size}\r\n\r\n"
            ).encode()
        )
        try:
            sock.sendall(b"a" * (256 * 1024))
        except OSError:
            pass  # nginx may close as soon as it has answered
        answer = sock.recv(4096)
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert front.service.log_text().count('"POST /sms/twilio') == reached_gunicorn


def test_open311_reads_past_the_address_zone_get_429_from_nginx_with_retry_after(front):
    path = "/open311/v2/services.json?from=nginx-zone-test"
    answers = [https(front, "GET", path) for _ in range(40)]
    statuses = [status for status, _, _ in answers]
    assert statuses[:20] == [200] * 20
    refused = [(headers, body) for status, headers, body in answers if status == 429]
    assert len(refused) >= 10
    headers, body = refused[0]
    assert headers["Retry-After"] == "2" and b'"code":429' in body
    # The refused reads never reached gunicorn.
    assert front.service.log_text().count("nginx-zone-test") == 40 - len(refused)


def test_nginx_writes_no_query_string_to_its_access_log(front):
    https(front, "GET", "/open311/v2/requests.json?page_size=1;api_key=k3y-from-nginx-log")
    time.sleep(0.5)
    log = front.access_log()
    assert "/open311/v2/requests.json" in log
    assert "k3y-from-nginx-log" not in log


def test_healthz_answers_every_probe_within_a_second_while_500_slow_clients_hang(front, capsys):
    # 400 silent sockets and 100 that complete TLS and send a header byte every 5 s.
    with SlowClients(
        "127.0.0.1", front.https_port, idle=400, trickle=100, interval=5.0, tls=True
    ) as attack:
        time.sleep(3)
        results = probe_health("127.0.0.1", front.https_port, seconds=30, period=0.5, tls=True)
    outcome = summary(results)
    with capsys.disabled():
        print(f"\nnginx, 500 slow clients: {outcome}, {attack.connects} attacker connects")
    assert attack.connects >= 500
    assert outcome["probes"] >= 30
    late = [round(elapsed, 2) for status, elapsed in results if status != 200]
    assert late == [], f"{len(late)} of {outcome['probes']} probes failed or took over 1 s"
