"""Concurrency: 4 gunicorn workers and 2 outbox workers under 200 concurrent webhooks."""

import re
import time
from urllib.parse import urlencode

import pytest

from bench import loadgen
from bench.harness import flask_cli
from tests.reliability.support import acknowledged, drain, home_visit_texts, scalar

TEXTS = 200
API_VISITS = 40
API_READS = 40
DRAIN_SECONDS = 60


def api_visit(service, key, n):
    """A signed-in Open311 filing of a home visit: the staff-side write path."""
    body = urlencode(
        {
            "service_code": "VISIT",
            "phone": loadgen.mobile_number(5_000_000 + n),
            "attribute[hamlet]": "Phu Hoa B",
            "first_name": f"Khach {n}",
        }
    ).encode()
    return loadgen.raw_request(
        service.base_url,
        "POST",
        "/open311/v2/requests.json",
        body,
        "application/x-www-form-urlencoded",
        headers={"X-Api-Key": key, "Idempotency-Key": f"walk-in-{n}"},
    )


def api_read(service, key, n):
    """A queue read through the API, as a staff dashboard would poll it."""
    return loadgen.raw_request(
        service.base_url,
        "GET",
        f"/open311/v2/requests.json?status=open&page_size=50&page={n % 3 + 1}",
        headers={"X-Api-Key": key},
    )


@pytest.mark.slow
def test_two_hundred_concurrent_webhooks_and_staff_actions_lose_nothing(start_service):
    service = start_service(workers=4)
    # Two offices' keys: one key may file only 30 requests in 10 minutes (Open311 rate limit).
    keys = [
        flask_cli(service.env, "api-key", "create", f"office-{n}").stdout.strip().split()[-1]
        for n in range(2)
    ]
    service.start_outbox_workers(2)
    texts = home_visit_texts(service, TEXTS, run="c1")
    staff = [api_visit(service, keys[n % 2], n) for n in range(API_VISITS)]
    staff += [api_read(service, keys[n % 2], n) for n in range(API_READS)]
    # Interleave so webhooks and staff actions are in flight together.
    raws = [raw for _, _, raw in texts]
    mixed = []
    for index, raw in enumerate(raws):
        mixed.append(raw)
        if index % 2 == 0 and staff:
            mixed.append(staff.pop())
    mixed += staff

    replies = loadgen.send_all(service.port, mixed, concurrency=TEXTS, time_limit=120)

    assert None not in replies, "the load did not finish in its time limit"
    assert [r.status for r in replies if r.status >= 500 or r.status == 0] == []
    by_raw = dict(zip(mixed, replies, strict=True))
    acked = [by_raw[raw] for raw in raws if acknowledged(by_raw[raw])]
    assert len(acked) == TEXTS, [by_raw[r].text[:200] for r in raws if not acknowledged(by_raw[r])]
    drain(service)
    sms_visits = scalar(
        service.db_path,
        "SELECT count(*) FROM requests WHERE kind = 'visit' AND channel = 'sms'",
    )
    assert sms_visits == len(acked)
    filed = [r for r in replies if r.status == 201]
    assert len(filed) == API_VISITS
    assert scalar(service.db_path, "SELECT count(*) FROM requests WHERE channel = 'api'") == (
        API_VISITS
    )
    # The outbox workers drain what the staff actions queued, each message once.
    deadline = time.monotonic() + DRAIN_SECONDS
    while time.monotonic() < deadline:
        waiting = scalar(
            service.db_path, "SELECT count(*) FROM outbox WHERE status IN ('pending', 'leased')"
        )
        if waiting == 0:
            break
        time.sleep(0.5)
    service.stop()
    log = service.log_text()
    trouble = re.search(r"database is locked|Traceback", log)
    # Show the lines around the first trouble, not the log's tail, so a failure says what broke.
    assert not trouble, log[max(0, trouble.start() - 500) : trouble.start() + 2500]
