"""The worker process: sends the outbox and runs scheduled jobs."""

import logging
import signal
import time

from app import outbox, trips
from db import connect, transaction

log = logging.getLogger(__name__)
POLL_SECONDS = 2


def run(app, once=False):
    """Loop until stopped (SIGTERM/SIGINT), or make one pass with ONCE."""
    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
    with app.app_context():
        db = connect(app.config["DATABASE_PATH"])
        try:
            while not stopping:
                run_pass(db)
                if once:
                    break
                time.sleep(POLL_SECONDS)
        except KeyboardInterrupt:
            pass
        finally:
            db.conn.close()


def run_pass(db):
    """One pass: keep the schedule generated, then send what is due."""
    with transaction(db):
        trips.ensure_trips(db)
    return outbox.send_due(db)
