"""Crash: kill -9 the whole server mid-load, restart, re-send what was not acknowledged."""

import asyncio

import pytest

from bench import loadgen
from tests.reliability.support import (
    acknowledged,
    assert_each_text_stored_once,
    drain,
    home_visit_texts,
    rows,
    scalar,
)

MESSAGES = 2000
KILL_AFTER = 600
CLIENTS = 32


async def send_and_kill(service, raws, kill_after):
    """Send RAWS on CLIENTS connections; SIGKILL the server after KILL_AFTER acknowledgements."""
    replies = [None] * len(raws)
    queue = iter(enumerate(raws))
    state = {"acked": 0, "killed": False}

    async def client():
        for index, raw in queue:
            reply = await loadgen.fetch(service.port, raw, timeout=10)
            replies[index] = reply
            if acknowledged(reply):
                state["acked"] += 1
            if state["acked"] >= kill_after and not state["killed"]:
                state["killed"] = True
                service.kill9()

    await asyncio.wait_for(asyncio.gather(*(client() for _ in range(CLIENTS))), 300)
    return replies


@pytest.mark.slow
def test_acknowledged_messages_survive_kill_9_and_resending_creates_no_duplicates(
    start_service,
):
    service = start_service(workers=2)
    batch = home_visit_texts(service, MESSAGES, run="d1")
    raws = [raw for _, _, raw in batch]

    first = asyncio.run(send_and_kill(service, raws, KILL_AFTER))

    acked_sids = {
        sid for (sid, _, _), reply in zip(batch, first, strict=True) if acknowledged(reply)
    }
    assert KILL_AFTER <= len(acked_sids) < MESSAGES, "the kill did not land mid-load"
    # Everything acknowledged before the crash is on disk, before anything is re-sent.
    stored = {
        sid
        for (sid,) in rows(
            service.db_path, "SELECT provider_id FROM messages WHERE direction = 'in'"
        )
    }
    assert acked_sids <= stored

    service.start()
    unacked = [raw for raw, reply in zip(raws, first, strict=True) if not acknowledged(reply)]
    second = loadgen.send_all(service.port, unacked, concurrency=CLIENTS, time_limit=120)
    assert all(acknowledged(reply) for reply in second)
    drain(service)
    service.stop()

    assert scalar(service.db_path, "PRAGMA integrity_check") == "ok"
    assert_each_text_stored_once(service.db_path, batch)
