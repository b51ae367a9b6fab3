"""Backup: `flask backup` takes a consistent online copy while webhooks keep writing."""

import sqlite3
import threading
import time

import pytest

from bench import loadgen
from bench.harness import flask_cli
from tests.reliability.support import acknowledged, home_visit_texts, read_db

MESSAGES = 1500
INBOUND = "SELECT count(*) FROM messages WHERE direction = 'in'"


@pytest.mark.slow
def test_an_online_backup_under_load_opens_and_passes_the_integrity_check(start_service, tmp_path):
    service = start_service(workers=2)
    raws = [raw for _, _, raw in home_visit_texts(service, MESSAGES, run="e1")]
    replies = []
    load = threading.Thread(
        target=lambda: replies.extend(
            loadgen.send_all(service.port, raws, concurrency=16, time_limit=120)
        )
    )
    load.start()
    # Wait until writes are flowing, so the copy is taken mid-load, not before it.
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with read_db(service.db_path) as conn:
            if conn.execute(INBOUND).fetchone()[0] >= 200:
                break
        time.sleep(0.05)
    copy = tmp_path / "copy.db"

    done = flask_cli(service.env, "backup", str(copy))

    still_loading = load.is_alive()
    load.join(timeout=150)
    assert "integrity ok" in done.stdout
    assert still_loading, "the load ended before the backup ran; raise MESSAGES"
    assert all(acknowledged(reply) for reply in replies)
    conn = sqlite3.connect(f"file:{copy}?mode=ro", uri=True)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        copied = conn.execute(INBOUND).fetchone()[0]
        hamlets = conn.execute("SELECT count(*) FROM hamlets").fetchone()[0]
        orphans = conn.execute(
            "SELECT count(*) FROM requests r LEFT JOIN residents p ON p.id = r.resident_id "
            "WHERE p.id IS NULL"
        ).fetchone()[0]
    finally:
        conn.close()
    assert 200 <= copied <= MESSAGES
    assert hamlets == 10
    assert orphans == 0
