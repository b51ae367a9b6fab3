"""The worker process: sends the outbox and runs scheduled jobs.

Run as many as you like (`flask --app wsgi worker`): rows are leased atomically, and the
scheduled jobs are idempotent. A pass that raises is logged and tried again after a backoff,
so one bad row or a locked database never ends the process; each good pass writes a
heartbeat that /healthz and /metrics report.
"""

import logging
import signal
import sqlite3
import threading
import time

from flask import current_app

from app.delivery import outbox, outbox_health, transports
from app.infra import clock, logs
from app.ops import scheduler
from db import checkpoint, connect, first, transaction

log = logging.getLogger(__name__)
POLL_SECONDS = 2
BATCH = 50
# After a failed pass wait 2, 4, 8 ... seconds, at most a minute, before the next one.
MAX_BACKOFF_SECONDS = 60
# A heartbeat every pass would be a write every 2 s; this is often enough for a 2-minute alarm.
HEARTBEAT_SECONDS = 10
HEARTBEAT_JOB = "worker_heartbeat"
# /healthz calls the service degraded past these.
HEARTBEAT_STALE_SECONDS = 120
OLDEST_DUE_STALE_SECONDS = 600


def backoff_seconds(failures):
    """Seconds to wait after FAILURES passes in a row have raised."""
    return min(POLL_SECONDS * 2 ** max(0, failures - 1), MAX_BACKOFF_SECONDS)


def run(app, once=False, stopping=None):
    """Loop until stopped (SIGTERM/SIGINT, or the STOPPING event), or make one pass with ONCE."""
    stopping = stopping or threading.Event()
    if not logging.getLogger().handlers:
        # A standalone process: show what is sent (the console transport logs each SMS).
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    # Phones masked, keys redacted, in every line this process writes.
    logs.install()
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    with app.app_context():
        path = app.config["DATABASE_PATH"]
        db = connect(path)
        transport = transports.from_config(app.config)
        owner = outbox.new_owner()
        log.info("worker %s sending through %s", owner, transport.name)
        failures, last_beat = 0, None
        try:
            while not stopping.is_set():
                try:
                    result = run_pass(db, transport=transport, owner=owner)
                    # Web connections leave WAL checkpoints to this process (see db).
                    checkpoint(db)
                except Exception as error:
                    if once:
                        raise
                    failures += 1
                    wait = backoff_seconds(failures)
                    log.exception("worker pass failed (%d in a row); next in %s s", failures, wait)
                    if isinstance(error, sqlite3.Error):
                        # A fresh connection clears whatever state the error left behind.
                        db.conn.close()
                        db = connect(path)
                    stopping.wait(wait)
                    continue
                failures = 0
                if last_beat is None or time.monotonic() - last_beat >= HEARTBEAT_SECONDS:
                    beat(db, owner)
                    last_beat = time.monotonic()
                if once:
                    break
                # A full batch means more is waiting: go again at once.
                if result["sent"] < BATCH:
                    stopping.wait(POLL_SECONDS)
        except KeyboardInterrupt:
            pass
        finally:
            db.conn.close()


def run_pass(db, *, transport=None, owner=None, jobs=True):
    """One pass: run the scheduled jobs, then send what is due; return what happened."""
    started = time.monotonic()
    result = {"jobs": scheduler.run_due_jobs(db) if jobs else {}}
    transport = transport or transports.from_config(current_app.config)
    result["sent"] = outbox.send_due(db, BATCH, transport=transport, owner=owner)
    result["seconds"] = round(time.monotonic() - started, 3)
    return result


def beat(db, owner):
    """Record that worker OWNER has just finished a good pass."""
    with transaction(db):
        db.execute(
            "INSERT INTO jobs (name, last_run_at, note) VALUES (?, ?, ?)"
            " ON CONFLICT (name) DO UPDATE SET last_run_at = excluded.last_run_at,"
            " note = excluded.note",
            [HEARTBEAT_JOB, clock.iso(clock.now()), owner],
        )


def last_heartbeat(db):
    """Return the newest heartbeat of any worker (aware UTC), or None if none ran yet."""
    row = first(db, "SELECT last_run_at FROM jobs WHERE name = ?", [HEARTBEAT_JOB])
    return clock.parse(row["last_run_at"]) if row else None


def health(db, now=None):
    """Return the worker's part of /healthz: heartbeat age, oldest due wait, and problems."""
    now = now or clock.now()
    heartbeat = last_heartbeat(db)
    age = (now - heartbeat).total_seconds() if heartbeat else None
    waited = outbox_health.oldest_due_wait(db, now)
    problems = []
    if age is None:
        problems.append("the worker has not reported yet")
    elif age > HEARTBEAT_STALE_SECONDS:
        problems.append(f"the worker's last heartbeat is {age:.0f} s old")
    if waited is not None and waited > OLDEST_DUE_STALE_SECONDS:
        problems.append(f"the oldest due message has waited {waited:.0f} s")
    return {
        "heartbeat": clock.iso(heartbeat) if heartbeat else None,
        "heartbeat_age_seconds": round(age, 1) if age is not None else None,
        "oldest_due_seconds": round(waited, 1) if waited is not None else None,
        "problems": problems,
    }
