"""The worker process: answers stored SMS, sends the outbox and runs scheduled jobs.

Run as many as you like (`flask --app wsgi worker`): waiting messages and outbox rows are
leased atomically, and the scheduled jobs are idempotent. A thread answers the messages the
webhooks stored, woken by their datagram (app.infra.wake) or a 250 ms poll, and wakes the
sender when it has queued replies. A pass that raises is logged and tried again after a backoff,
so one bad row or a locked database never ends the process; each good pass writes a
heartbeat that /healthz and /metrics report.
"""

import logging
import signal
import sqlite3
import threading
import time

from flask import current_app

from app.delivery import outbox, outbox_health, sender, transports, waiting
from app.infra import clock, logs, tenant, wake
from app.ops import scheduler
from db import checkpoint, connect, first, transaction

log = logging.getLogger(__name__)
POLL_SECONDS = 2
BATCH = 50
# After a failed pass wait 2, 4, 8 ... seconds, at most a minute, before the next one.
MAX_BACKOFF_SECONDS = 60
# A heartbeat every pass would be a write every 2 s; this is often enough for a 2-minute alarm.
HEARTBEAT_SECONDS = 10
# The answering thread looks for stored messages this often when no wake-up comes.
POLL_FALLBACK = wake.FALLBACK_SECONDS
HEARTBEAT_JOB = "worker_heartbeat"
# /healthz calls the service degraded past these.
HEARTBEAT_STALE_SECONDS = 120
OLDEST_DUE_STALE_SECONDS = 600
# A stored SMS is answered within a second when a worker runs; a minute means none does.
OLDEST_UNANSWERED_STALE_SECONDS = 60


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
    # Set when replies were queued (or the worker stops): the sender goes at once.
    nudge = threading.Event()

    def stop(*_):
        stopping.set()
        nudge.set()

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, stop)
    answerer = None
    if not once:
        answerer = threading.Thread(
            target=answer_loop, args=(app, stopping, nudge), name="answer", daemon=True
        )
        answerer.start()
    with app.app_context():
        path = app.config["DATABASE_PATH"]
        db = connect(path)
        transport = transports.from_config(app.config)
        owner = outbox.new_owner()
        threads = app.config.get("OUTBOX_SEND_THREADS") or 1
        # Several messages at once, each phone's in order (app.delivery.sender).
        senders = sender.Senders(app, threads) if threads > 1 else None
        log.info("worker %s sending through %s, %d at once", owner, transport.name, threads)
        failures, last_beat = 0, None
        try:
            while not stopping.is_set():
                try:
                    result = run_pass(
                        db, transport=transport, owner=owner, answer=once, senders=senders
                    )
                    # Web connections leave WAL checkpoints to this process (see db).
                    checkpoint(db)
                except Exception as error:
                    if once:
                        raise
                    failures += 1
                    db = _recover(db, path, error, failures, stopping, "worker pass")
                    continue
                failures = 0
                if last_beat is None or time.monotonic() - last_beat >= HEARTBEAT_SECONDS:
                    beat(db, owner)
                    last_beat = time.monotonic()
                if once:
                    break
                # A full batch means more is waiting: go again at once.
                if result["sent"] < BATCH:
                    nudge.wait(POLL_SECONDS)
                    nudge.clear()
        except KeyboardInterrupt:
            stop()
        finally:
            if senders is not None:
                senders.close()
            db.conn.close()
            if answerer is not None:
                stop()
                answerer.join(timeout=5)


def _recover(db, path, error, failures, stopping, what):
    """Log a failed pass of WHAT, wait out its backoff, and return a connection that works."""
    wait = backoff_seconds(failures)
    log.exception("%s failed (%d in a row); next in %s s", what, failures, wait)
    if isinstance(error, sqlite3.Error):
        # A fresh connection clears whatever state the error left behind.
        db.conn.close()
        db = connect(path)
    stopping.wait(wait)
    return db


def answer_loop(app, stopping, nudge):
    """Answer waiting messages until STOPPING; set NUDGE whenever replies were queued."""
    with app.app_context():
        path = app.config["DATABASE_PATH"]
        db = connect(path)
        try:
            listener = wake.Listener(path)
        except OSError:
            # No socket beside the database (a read-only folder): the short poll alone.
            log.warning("no wake socket for %s; answering on a %s s poll", path, POLL_FALLBACK)
            listener = None
        owner = outbox.new_owner()
        answer_waiting = _answerer()
        failures = 0
        try:
            while not stopping.is_set():
                try:
                    answered = answer_waiting(db, owner)
                except Exception as error:
                    failures += 1
                    db = _recover(db, path, error, failures, stopping, "answering")
                    continue
                failures = 0
                if answered:
                    nudge.set()
                    # An answer with no reply to send ends the simulator's wait too.
                    wake.notify(path, wake.REPLIES)
                    continue  # more may be waiting
                if listener is None:
                    stopping.wait(POLL_FALLBACK)
                else:
                    listener.wait(POLL_FALLBACK)
        finally:
            if listener is not None:
                listener.close()
            db.conn.close()


def run_pass(db, *, transport=None, owner=None, jobs=True, answer=True, senders=None):
    """One pass: run the scheduled jobs, answer waiting SMS, send what is due; what happened.

    With SENDERS (a sender.Senders pool) the batch is sent several messages at once.
    """
    started = time.monotonic()
    # A pass is an edge: it binds the commune of each job, message and row it takes.
    with tenant.unbound():
        result = {"jobs": scheduler.run_due_jobs(db) if jobs else {}}
        result["answered"] = answer_all(db, owner) if answer else 0
        if senders is not None:
            result["sent"] = senders.send_due(db, BATCH, owner or outbox.new_owner())
        else:
            transport = transport or transports.from_config(current_app.config)
            result["sent"] = outbox.send_due(db, BATCH, transport=transport, owner=owner)
    result["seconds"] = round(time.monotonic() - started, 3)
    return result


def _answerer():
    """The SMS channel's answering step, which the app factory hands the worker."""
    return current_app.extensions["answer_waiting"]


def answer_all(db, owner=None):
    """Answer every waiting message, lease after lease; return how many."""
    answer_waiting = _answerer()
    total = 0
    while answered := answer_waiting(db, owner):
        total += answered
    return total


def beat(db, owner):
    """Record that worker OWNER has just finished a good pass."""
    with transaction(db):
        db.execute(
            "INSERT INTO jobs (name, last_run_at, note) VALUES (:name, :now, :owner)"
            " ON CONFLICT (name) DO UPDATE SET last_run_at = excluded.last_run_at,"
            " note = excluded.note",
            {"name": HEARTBEAT_JOB, "now": clock.iso(clock.now()), "owner": owner},
        )


def last_heartbeat(db):
    """Return the newest heartbeat of any worker (aware UTC), or None if none ran yet."""
    row = first(db, "SELECT last_run_at FROM jobs WHERE name = :name", {"name": HEARTBEAT_JOB})
    return clock.parse(row["last_run_at"]) if row else None


def is_running(db, now=None):
    """Tell whether some worker has reported lately (it answers and sends on its own)."""
    heartbeat = last_heartbeat(db)
    age = ((now or clock.now()) - heartbeat).total_seconds() if heartbeat else None
    return age is not None and age < 3 * HEARTBEAT_SECONDS


def health(db, now=None):
    """The worker's part of /healthz: heartbeat age, oldest due and unanswered waits, problems."""
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
    unanswered = waiting.oldest_wait(db, now)
    if unanswered is not None and unanswered > OLDEST_UNANSWERED_STALE_SECONDS:
        problems.append(f"the oldest stored SMS has waited {unanswered:.0f} s for its answer")
    return {
        "heartbeat": clock.iso(heartbeat) if heartbeat else None,
        "heartbeat_age_seconds": round(age, 1) if age is not None else None,
        "oldest_due_seconds": round(waited, 1) if waited is not None else None,
        "oldest_unanswered_seconds": round(unanswered, 1) if unanswered is not None else None,
        "problems": problems,
    }
