"""Helpers for the reliability tests: signed webhook batches, TwiML parsing, database reads."""

import contextlib
import sqlite3
import time
import xml.etree.ElementTree as ET

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
    started = not service.outbox_workers
    if started:
        service.start_outbox_workers(1)
    deadline = time.monotonic() + timeout
    try:
        while scalar(service.db_path, "SELECT count(*) FROM inbox_waiting"):
            assert time.monotonic() < deadline, "the worker did not answer every message"
            time.sleep(0.1)
    finally:
        if started:
            service.stop_outbox_workers()


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
