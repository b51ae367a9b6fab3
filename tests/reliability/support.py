"""Helpers for the reliability tests: signed webhook batches, TwiML parsing, database reads."""

import contextlib
import sqlite3
import time
import xml.etree.ElementTree as ET

from app.infra import wake
from bench import loadgen

HAMLETS = ["Phu Hoa A", "Phu Hoa B", "Phu Thuan A", "Phu Loi", "Tan Phu", "Long Hau"]


def home_visit_texts(service, count, run, first=0):
    """COUNT signed "HEN <hamlet>" webhooks from distinct numbers: [(sid, phone, raw)]."""
    batch = []
    for n in range(first, first + count):
        sid = loadgen.message_sid(n, run)
        phone = loadgen.mobile_number(int(run, 16) * 100_000 + n)
        params = loadgen.sms_params(sid, phone, f"HEN {HAMLETS[n % len(HAMLETS)]}")
        batch.append((sid, phone, loadgen.signed_form(service.base_url, "/sms/twilio", params)))
    return batch


def messages_in(reply):
    """The <Message> texts of a TwiML reply, or None if it is not a TwiML document."""
    try:
        root = ET.fromstring(reply.body)
    except ET.ParseError:
        return None
    if root.tag != "Response":
        return None
    return [element.text or "" for element in root.iter("Message")]


def acknowledged(reply):
    """A webhook counts as acknowledged when it got 200 and the empty <Response/>.

    The message is stored by then; its reply follows through the outbox.
    """
    return reply is not None and reply.status == 200 and messages_in(reply) == []


def drain(service, timeout=120):
    """Wait until no stored message waits to be answered (starting a worker if none runs)."""
    with replies_heard(service) as heard:
        started = not service.outbox_workers
        if started:
            service.start_outbox_workers(1)
        try:
            wait_for(
                lambda: not scalar(service.db_path, "SELECT count(*) FROM inbox_waiting"),
                heard,
                timeout,
                "every message's answer",
            )
        finally:
            if started:
                service.stop_outbox_workers()


@contextlib.contextmanager
def replies_heard(service):
    """Listen for the workers' wake-ups to whoever waits for replies (answered, or sent)."""
    listener = wake.Listener(service.db_path, wake.REPLIES)
    try:
        yield listener
    finally:
        listener.close()


def wait_for(condition, heard, timeout=60, what="the condition"):
    """Look at CONDITION again each time the workers answer or send, until it holds.

    HEARD is a replies_heard listener, opened before the work began; fails after TIMEOUT s.
    """
    deadline = time.monotonic() + timeout
    while not condition():
        remaining = deadline - time.monotonic()
        assert remaining > 0, f"{what} did not happen in {timeout} s"
        heard.wait(remaining)


@contextlib.contextmanager
def read_db(path):
    """A plain sqlite3 connection to a service's database, closed afterwards."""
    conn = sqlite3.connect(str(path), timeout=10)
    try:
        yield conn
    finally:
        conn.close()


def scalar(path, sql, params=()):
    """Run SQL on the database at PATH and return the first column of the first row."""
    with read_db(path) as conn:
        return conn.execute(sql, params).fetchone()[0]


def rows(path, sql, params=()):
    """Run SQL on the database at PATH and return every row as a tuple."""
    with read_db(path) as conn:
        return conn.execute(sql, params).fetchall()


def assert_each_text_stored_once(path, batch):
    """Every (sid, phone, body) of BATCH is one stored message and one home-visit request."""
    inbound = rows(
        path,
        "SELECT provider_id, count(*) FROM messages WHERE direction = 'in' GROUP BY provider_id",
    )
    assert sorted(inbound) == sorted((sid, 1) for sid, _, _ in batch)
    visits = rows(
        path,
        "SELECT p.phone, count(*) FROM requests r JOIN residents p ON p.id = r.resident_id "
        "WHERE r.kind = 'visit' GROUP BY p.phone",
    )
    assert sorted(visits) == sorted((phone, 1) for _, phone, _ in batch)
