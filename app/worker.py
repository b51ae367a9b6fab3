"""The worker process: sends the outbox and runs scheduled jobs.

Run as many as you like (`flask --app wsgi worker`): rows are leased atomically, and the
scheduled jobs are idempotent.
"""

import logging
import signal
import threading
import time

from app import outbox, scheduler, transports
from db import checkpoint, connect

log = logging.getLogger(__name__)
POLL_SECONDS = 2
BATCH = 50


def run(app, once=False):
    """Loop until stopped (SIGTERM/SIGINT), or make one pass with ONCE."""
    stopping = threading.Event()
    if not logging.getLogger().handlers:
        # A standalone process: show what is sent (the console transport logs each SMS).
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    with app.app_context():
        db = connect(app.config["DATABASE_PATH"])
        transport = transports.from_config(app.config)
        owner = outbox.new_owner()
        log.info("worker %s sending through %s", owner, transport.name)
        try:
            while not stopping.is_set():
                result = run_pass(db, transport=transport, owner=owner)
                # Web connections leave WAL checkpoints to this process (see db).
                checkpoint(db)
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
    result["sent"] = outbox.send_due(db, BATCH, transport=transport, owner=owner)
    result["seconds"] = round(time.monotonic() - started, 3)
    return result
