"""Logs never hold a whole phone number, an SMS text or an API key."""

import logging
import time

import pytest
import time_machine
from flask import current_app

from app import communes
from app.delivery import outbox, transports
from bench.harness import flask_cli, prepare_database, service_env
from db import connect, transaction
from tests.conftest import DAY_HOUR, send_due

PHONE = "+84912345678"
TEXT = "Xa Phu Lam: Ba Nguyen Thi Hoa, ma 48213, to luu dong den nha thu Ba"


def test_the_console_transport_logs_neither_the_text_nor_the_whole_number(caplog):
    with caplog.at_level(logging.INFO, logger="app.delivery.transports"):
        transports.ConsoleTransport().send(transports.Outgoing(PHONE, TEXT, key="k1", outbox_id=1))
    logged = caplog.text
    assert "SMS to ***678" in logged
    assert "912345678" not in logged and "Nguyen Thi Hoa" not in logged and "48213" not in logged


def test_an_outbox_send_logs_the_number_masked(app, store, in_first_commune, caplog):
    with app.app_context(), transaction(store):
        outbox.enqueue(store, PHONE, TEXT, kind="reply", dedupe_key="reply:1")
    with app.app_context(), caplog.at_level(logging.INFO):
        outbox.send_due(store, transport=transports.ConsoleTransport())
    assert "***678" in caplog.text
    assert "912345678" not in caplog.text and "Nguyen Thi Hoa" not in caplog.text


def test_a_twilio_refusal_that_names_the_number_is_logged_with_it_masked(
    app, store, in_first_commune, caplog
):
    from app.infra.config import LOCAL_ACCOUNT_SID
    from tests.conftest import TEST_AUTH_TOKEN
    from tests.fakes.twilio_api import FakeTwilioAPI

    with time_machine.travel(DAY_HOUR), FakeTwilioAPI(LOCAL_ACCOUNT_SID, TEST_AUTH_TOKEN) as fake:
        fake.refuse_number(PHONE)  # 400, 21211: "The 'To' number +849... is not a valid ..."
        app.config.update(
            SMS_TRANSPORT="twilio", TWILIO_API_BASE_URL=fake.base_url, TWILIO_FROM_NUMBER="+8428"
        )
        with app.app_context(), transaction(store):
            queued = outbox.enqueue(store, PHONE, TEXT, kind="answer")
        with app.app_context(), caplog.at_level(logging.INFO):
            send_due(store)
    assert "21211" in outbox.get(store, queued["id"])["last_error"]
    assert "number ***678 is not a valid" in caplog.text
    assert "912345678" not in caplog.text


def test_a_call_back_twilio_refuses_is_logged_with_the_number_masked(
    app, store, in_first_commune, caplog
):
    from app.request_queue import callbacks
    from tests.fakes.twilio_api import FakeTwilioAPI

    token = app.config["TWILIO_AUTH_TOKEN"]
    with (
        time_machine.travel(DAY_HOUR),
        FakeTwilioAPI(app.config["TWILIO_ACCOUNT_SID"], token) as fake,
    ):
        fake.refuse_number(PHONE)
        app.config["TWILIO_API_BASE_URL"] = fake.base_url
        with app.app_context():
            callbacks.request_callback(store, PHONE, requested_by="lan")
            with caplog.at_level(logging.INFO):
                callbacks.run_due_callbacks(store, current_app.config)
    assert "to ***678 failed" in caplog.text and "number ***678 is not a valid" in caplog.text
    assert "912345678" not in caplog.text


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("GET /open311/v2/requests.json?api_key=k3y-s3cret&page=2 HTTP/1.1", "api_key=[redacted]"),
        ("GET /simulator/api/thread?phone=%2B84901234567 HTTP/1.1", "phone=***567"),
        ("GET /?q=0912+345+678 HTTP/1.1", "q=***678"),
        ("Twilio: The 'To' number +84 912-345-678 is not valid", "number ***678 is"),
        ("call-back to 0296.3851.234 failed", "to ***234 failed"),
        ("sent to 84912345678 (no plus)", "to ***678 (no"),
        # Werkzeug decodes the name, so api%5Fkey is the api_key parameter all the same.
        ("GET /open311/v2/requests.json?api%5Fkey=k3y-s3cret HTTP/1.1", "api%5Fkey=[redacted]"),
        ("GET /x?Api-Key=k3y-s3cret&access_token=s3cret2 HTTP/1.1", "Api-Key=[redacted]&"),
        # Werkzeug cuts a query at "&" only: the key rides inside page_size's value.
        ("GET /open311/v2/requests.json?page_size=1;api_key=s3cret HTTP/1.1", "page_size="),
        ("GET /open311/v2/requests.json?api_key%00=s3cret HTTP/1.1", "api_key%00=[redacted]"),
        ("GET /x?api%255Fkey=s3cret HTTP/1.1", "api%255Fkey=[redacted]"),
        ("GET /x?api_key[]=s3cret&page=2 HTTP/1.1", "&page=2"),
        ("GET /x?page=2&x=1%3Bapi_key%3Ds3cret HTTP/1.1", "page=2&x=[redacted]"),
        ('"GET /x?a=1&API_KEY=s3cret" 200', 'API_KEY=[redacted]" 200'),
        ("signing key=s3cret; more", "key=[redacted]; more"),
    ],
)
def test_redaction_masks_every_written_form_of_a_phone_and_drops_keys(line, expected):
    from app.infra import logs

    redacted = logs.redact(line)
    assert expected in redacted
    assert "s3cret" not in redacted


@pytest.mark.parametrize(
    "line",
    [
        "[01/Dec/2026:21:00:00 +0000] GET /trips?date=2026-12-01 ref 48213 took 1234567 us",
        # gunicorn's access line: client address, status and size, browser version.
        '203.113.155.245 - - [02/Dec/2026:00:32:40 +0000] "GET / HTTP/1.1" 200 194906 "-"'
        ' "Mozilla/5.0 (Linux; Android 10) Chrome/131.0.6778.135 Mobile"',
        "2026-12-02 07:30:00,120 worker: 3 sent, 84.123.145.167 refused",
        "refused gateway webhook from 113.161.100.254: stale timestamp",
    ],
)
def test_dates_addresses_statuses_sizes_and_versions_stay_readable(line):
    from app.infra import logs

    assert logs.redact(line) == line


def test_the_worker_process_writes_no_whole_number_and_no_text(tmp_path):
    env = service_env(tmp_path / "worker.db", 0, SMS_TRANSPORT="console")
    prepare_database(env)
    db = connect(tmp_path / "worker.db")
    try:
        with transaction(db), communes.bound(communes.first_commune(db)):
            outbox.enqueue(db, PHONE, TEXT, kind="reply", dedupe_key="reply:1")
    finally:
        db.conn.close()
    done = flask_cli(env, "worker", "--once")
    output = done.stdout + done.stderr
    assert "***678" in output, output
    assert "912345678" not in output and "Nguyen Thi Hoa" not in output


def test_the_access_log_of_the_running_server_masks_phones_and_drops_keys(tmp_path):
    import urllib.error
    import urllib.request

    from bench.harness import Service

    paths = [
        "/open311/v2/requests.json?api_key=k3y-s3cret-value&phone=0912345678",
        "/simulator/api/thread?phone=%2B84901234567",
        "/?q=0912+345+678",
        "/open311/v2/requests.json?page_size=1;api_key=k3y-s3cret-value",
        "/open311/v2/requests.json?api_key%00=k3y-s3cret-value",
    ]
    with Service(tmp_path, workers=1) as service:
        for path in paths:
            try:
                urllib.request.urlopen(service.base_url + path, timeout=10).close()
            except urllib.error.HTTPError:
                pass  # 403, 404 or a redirect to sign in: the line is logged all the same
        time.sleep(0.5)
        log = service.log_text()
    assert "api_key=[redacted]" in log, log[-2000:]
    assert "phone=***678" in log and "phone=***567" in log
    for secret in ("k3y-s3cret-value", "912345678", "901234567", "912+345+678"):
        assert secret not in log
