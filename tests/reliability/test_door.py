"""The door and the back under real processes: gunicorn stores, `flask worker` answers.

Each phone sends ten questions; the worker must answer every message once, a phone's
messages in the order they arrived, whatever happens to the answering processes.
"""

import os
import signal

import pytest

from bench import loadgen
from tests.reliability.support import (
    acknowledged,
    drain,
    replies_heard,
    rows,
    scalar,
    wait_for,
)

PHONES = 50
EACH = 10
CLIENTS = 32


def questions(service, run, phones=PHONES, each=EACH):
    """EACH signed questions from each of PHONES numbers, interleaved: [(sid, phone, raw)]."""
    batch = []
    for turn in range(each):
        for n in range(phones):
            sid = loadgen.message_sid(turn * phones + n, run)
            phone = loadgen.mobile_number(int(run, 16) * 1000 + n)
            params = loadgen.sms_params(sid, phone, f"HOI cau hoi so {turn} cua so {n}")
            batch.append((sid, phone, loadgen.signed_form(service.base_url, "/sms/twilio", params)))
    return batch


def send(service, batch):
    """Post BATCH on CLIENTS connections; every webhook must get the empty <Response/>."""
    replies = loadgen.send_all(
        service.port, [raw for _, _, raw in batch], concurrency=CLIENTS, time_limit=120
    )
    assert all(acknowledged(reply) for reply in replies), [
        (r.status, r.text[:200]) for r in replies if not acknowledged(r)
    ][:5]


def assert_answered_once_in_order(path, batch):
    """Every message of BATCH is answered, its replies queued once, each phone's in order."""
    inbound = rows(
        path, "SELECT id, provider_id, phone, intent FROM messages WHERE direction = 'in'"
    )
    assert sorted(sid for _, sid, _, _ in inbound) == sorted(sid for sid, _, _ in batch)
    assert [row for row in inbound if row[3] is None] == []
    assert scalar(path, "SELECT count(*) FROM inbox_waiting") == 0
    # One answer per message: each has replies, and no reply is queued twice.
    replies = rows(path, "SELECT id, reply_to_id, phone, body FROM outbox ORDER BY id")
    answered = {reply_to for _, reply_to, _, _ in replies}
    assert answered == {message_id for message_id, _, _, _ in inbound}
    assert len({(reply_to, body) for _, reply_to, _, body in replies}) == len(replies)
    # The outbox ids are the order of the answers: per phone, arrival (message id) order.
    by_phone = {}
    for _, reply_to, phone, _ in replies:
        by_phone.setdefault(phone, []).append(reply_to)
    for phone, order in by_phone.items():
        assert order == sorted(order), phone
    # Each question reached staff once (a rate limit or a double would change the count).
    assert scalar(path, "SELECT count(*) FROM requests") == len(batch)


@pytest.mark.slow
def test_kill_9_of_the_answering_worker_mid_burst_loses_nothing_and_answers_nothing_twice(
    start_service,
):
    service = start_service(workers=2)
    batch = questions(service, "b1", phones=60)
    send(service, batch)  # a burst, stored with no worker answering yet
    assert scalar(service.db_path, "SELECT count(*) FROM inbox_waiting") == len(batch)

    waiting = lambda: scalar(service.db_path, "SELECT count(*) FROM inbox_waiting")  # noqa: E731
    with replies_heard(service) as heard:
        (worker,) = service.start_outbox_workers(1)
        wait_for(lambda: waiting() <= len(batch) - 100, heard, what="the first answers")
    os.killpg(worker.pid, signal.SIGKILL)
    worker.wait(timeout=10)
    service.outbox_workers = []
    assert 0 < waiting() < len(batch), "the kill did not land mid-burst"

    # A new worker takes over once the dead one's leases expire.
    service.start_outbox_workers(1)
    drain(service)
    service.stop()
    assert_answered_once_in_order(service.db_path, batch)


@pytest.mark.slow
def test_two_answering_processes_answer_fifty_phones_of_ten_messages_in_order(start_service):
    service = start_service(workers=2)
    service.start_outbox_workers(2)
    batch = questions(service, "b2")
    send(service, batch)
    drain(service)
    service.stop()
    assert_answered_once_in_order(service.db_path, batch)
    log = service.log_text()
    assert "Traceback" not in log and "database is locked" not in log


@pytest.mark.slow
def test_a_twilio_retry_after_the_reply_was_sent_sends_no_second_reply(start_service):
    service = start_service(workers=2)
    sent = "SELECT count(*) FROM outbox WHERE status = 'sent'"
    with replies_heard(service) as heard:
        service.start_outbox_workers(1)
        [(sid, _phone, raw)] = questions(service, "b3", phones=1, each=1)
        send(service, [(sid, _phone, raw)])
        wait_for(lambda: scalar(service.db_path, sent) == 1, heard, what="the reply's send")

        send(service, [(sid, _phone, raw)])  # Twilio delivers the same MessageSid again
        # A later message from someone else is answered and sent after the retry was handled.
        [later] = questions(service, "b4", phones=1, each=1)
        send(service, [later])
        wait_for(lambda: scalar(service.db_path, sent) == 2, heard, what="the later reply's send")
    service.stop()

    assert scalar(service.db_path, "SELECT count(*) FROM outbox") == 2
    assert scalar(service.db_path, "SELECT count(*) FROM messages WHERE direction = 'out'") == 2
    assert scalar(service.db_path, "SELECT count(*) FROM messages WHERE direction = 'in'") == 2
