"""Prometheus metrics: webhook latency, outbox and heartbeat gauges, and who may read them."""

import urllib.request

import pytest
from prometheus_client.parser import text_string_to_metric_families

from app.delivery import outbox
from app.ops import worker
from bench.harness import AUTH_TOKEN, TWILIO_NUMBER, Service
from db import transaction
from tests.conftest import twilio_signature

PHONE = "+84912345678"


def samples(text):
    """{(name, frozenset(labels)): value} of every sample in a Prometheus text page."""
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def test_metrics_count_signed_webhooks_by_endpoint_and_status(client, twilio_post):
    twilio_post(
        "/sms/twilio",
        {"MessageSid": "SM" + "1" * 32, "From": PHONE, "To": "+84000000000", "Body": "HEN"},
    )
    client.post("/sms/twilio", data={"Body": "forged"})
    page = samples(client.get("/metrics").get_data(as_text=True))
    ok = frozenset({("endpoint", "sms.twilio_inbound"), ("status", "200")})
    forged = frozenset({("endpoint", "sms.twilio_inbound"), ("status", "403")})
    assert page[("hamlet_webhook_seconds_count", ok)] >= 1
    assert page[("hamlet_webhook_seconds_count", forged)] >= 1
    assert page[("hamlet_webhook_seconds_bucket", ok | {("le", "+Inf")})] >= 1


def test_metrics_report_the_outbox_and_the_worker_heartbeat(app, db, client):
    before = samples(client.get("/metrics").get_data(as_text=True))
    assert before[("hamlet_worker_heartbeat_age_seconds", frozenset())] == -1
    with transaction(db):
        outbox.enqueue(db, PHONE, "Xa Phu Lam: a", kind="reply")
        outbox.enqueue(db, PHONE, "Xa Phu Lam: b", kind="reply")
    page = samples(client.get("/metrics").get_data(as_text=True))
    assert page[("hamlet_outbox_backlog", frozenset())] == 2
    assert page[("hamlet_outbox_oldest_due_seconds", frozenset())] >= 0
    worker.beat(db, "test-worker")
    page = samples(client.get("/metrics").get_data(as_text=True))
    assert 0 <= page[("hamlet_worker_heartbeat_age_seconds", frozenset())] < 5
    assert page[("hamlet_worker_heartbeat_timestamp_seconds", frozenset())] > 1.7e9


def test_without_a_gateway_the_metrics_have_no_gateway_gauges(client):
    names = {name for name, _ in samples(client.get("/metrics").get_data(as_text=True))}
    assert "hamlet_worker_heartbeat_age_seconds" in names
    assert not any(name.startswith("hamlet_gateway_") for name in names)


def test_with_a_gateway_that_never_spoke_the_metrics_say_never(app, client):
    app.config["SMS_GATEWAY_SIGNING_KEY"] = "gateway-signing-key-for-tests"
    page = samples(client.get("/metrics").get_data(as_text=True))
    phone = frozenset({("commune", "PHULAM"), ("device", "default")})
    assert page[("hamlet_gateway_last_seen_timestamp_seconds", phone)] == 0
    assert page[("hamlet_gateway_silent_seconds", phone)] == -1


def test_metrics_are_hidden_from_requests_through_the_proxy(client):
    assert client.get("/metrics").status_code == 200
    proxied = client.get("/metrics", headers={"X-Forwarded-For": "203.0.113.9"})
    assert proxied.status_code == 404
    remote = client.get("/metrics", environ_base={"REMOTE_ADDR": "203.0.113.9"})
    assert remote.status_code == 404


@pytest.mark.parametrize(
    "header",
    [
        ("Forwarded", "for=203.0.113.9;proto=https"),
        ("X-Real-IP", "203.0.113.9"),
        ("X-Forwarded-Host", "hamlet.example.org"),
        ("X-Forwarded-Proto", "https"),
        ("Via", "1.1 nginx"),
        ("True-Client-IP", "203.0.113.9"),
        ("CF-Connecting-IP", "203.0.113.9"),
        ("X-Client-IP", "203.0.113.9"),
        ("X-Cluster-Client-IP", "203.0.113.9"),
        ("X-Original-Forwarded-For", "203.0.113.9"),
        ("Client-IP", "203.0.113.9"),
    ],
    ids=lambda header: header[0],
)
def test_metrics_are_hidden_from_a_local_peer_that_sent_any_proxy_header(client, header):
    assert client.get("/metrics", headers=[header]).status_code == 404


def test_behind_trusted_proxies_a_forwarded_loopback_address_is_not_believed(app):
    from app import create_app

    app = create_app({**app.config, "TRUSTED_PROXIES": 1})
    client = app.test_client()
    remote = {"REMOTE_ADDR": "203.0.113.9"}
    # ProxyFix makes remote_addr 127.0.0.1 from the header; the socket's peer is not loopback.
    claimed = client.get("/metrics", headers={"X-Forwarded-For": "127.0.0.1"}, environ_base=remote)
    assert claimed.status_code == 404
    assert client.get("/metrics").status_code == 200


def test_with_a_token_metrics_need_the_bearer_token_from_anywhere(app, client):
    app.config["METRICS_TOKEN"] = "scrape-secret"
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 404
    remote = client.get(
        "/metrics",
        headers={"Authorization": "Bearer scrape-secret", "X-Forwarded-For": "203.0.113.9"},
        environ_base={"REMOTE_ADDR": "203.0.113.9"},
    )
    assert remote.status_code == 200
    assert "hamlet_outbox_backlog" in remote.get_data(as_text=True)


def test_gunicorn_workers_add_up_their_histograms_in_one_scrape(tmp_path):
    with Service(tmp_path / "service", workers=2) as service:
        assert len(service.worker_pids()) == 2
        for number in range(40):
            params = {
                "MessageSid": f"SM{number:032x}",
                "From": f"+8491200{number:04d}",
                "To": TWILIO_NUMBER,
                "Body": "GIO",
            }
            url = f"{service.base_url}/sms/twilio"
            request = urllib.request.Request(
                url,
                data=urllib.parse.urlencode(params).encode(),
                headers={"X-Twilio-Signature": twilio_signature(url, params, AUTH_TOKEN)},
            )
            with urllib.request.urlopen(request, timeout=10) as reply:
                assert reply.status == 200
        with urllib.request.urlopen(service.base_url + "/metrics", timeout=10) as reply:
            page = samples(reply.read().decode())
    ok = frozenset({("endpoint", "sms.twilio_inbound"), ("status", "200")})
    assert page[("hamlet_webhook_seconds_count", ok)] == 40
