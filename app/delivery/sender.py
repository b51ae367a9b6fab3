"""Sending a leased batch several messages at a time, each phone's messages in their order.

One worker process used to call the provider for one message after another, so a provider's
round trip (about 30 ms to a local fake, a few hundred to Twilio from Vietnam) capped it at a
few dozen messages a second. Here a batch leased as before (outbox.lease) is split by phone,
and a small pool of threads sends the phones' groups at once. Each thread has its own SQLite
connection and its own transport (requests sessions are not shared across threads), and a
group is sent in id order, so one phone's replies still leave in the order they were queued.

Nothing else changes: a row is still sent only while its lease holds, its outcome and its
attempts are recorded by outbox.deliver, quiet hours are applied when leasing, and a gateway
phone's budget is claimed in its own write transaction, which SQLite serialises across
threads as it does across processes.
"""

import logging
import sqlite3
import threading
from concurrent.futures import ThreadPoolExecutor

from app import communes
from app.delivery import outbox, transports
from db import connect

log = logging.getLogger(__name__)

# Enough to overlap a provider's round trips on a small machine; each one is a connection.
THREADS = 4


def by_phone(rows):
    """ROWS grouped by phone, each group in id order, groups in order of their first row."""
    groups = {}
    for row in sorted(rows, key=lambda row: row["id"]):
        groups.setdefault(row["phone"], []).append(row)
    return list(groups.values())


class Senders:
    """A pool of sending threads for one worker process (`close` when done)."""

    def __init__(self, app, threads=THREADS):
        self.app = app
        self.threads = threads
        self._path = app.config["DATABASE_PATH"]
        self._pool = ThreadPoolExecutor(threads, thread_name_prefix="send")
        self._local = threading.local()
        self._opened = []
        self._lock = threading.Lock()

    def send_due(self, db, limit, owner):
        """Lease up to LIMIT due rows on DB for OWNER and send them; return how many were sent."""
        leased = outbox.lease(db, owner, limit=limit)
        if not leased:
            return 0
        futures = [self._pool.submit(self._send, group, owner) for group in by_phone(leased)]
        # Every group is waited for, so the next lease never races this batch; the first
        # error is raised after, for the worker's backoff.
        results, failure = [], None
        for future in futures:
            try:
                results.append(future.result())
            except Exception as error:  # noqa: BLE001 - raised below, once all have finished
                failure = failure or error
        if failure is not None:
            raise failure
        return sum(results)

    def _send(self, group, owner):
        """Send one phone's rows in order on this thread's connection; return how many went."""
        db, transport = self._resources()
        sent, known = 0, {}
        try:
            with self.app.app_context():
                for row in group:
                    commune_id = row["commune_id"]
                    if commune_id not in known:
                        known[commune_id] = communes.by_id(db, commune_id)
                    # What a send records (the SMS log, a failure for staff) is the row's commune's.
                    with communes.bound(known[commune_id]):
                        if outbox.deliver(db, row, transport, owner) == "sent":
                            sent += 1
        except sqlite3.Error:
            # A fresh connection next time clears whatever state the error left.
            self._drop(db)
            raise
        return sent

    def _resources(self):
        """The connection and transport of the calling thread, opened on first use."""
        local = self._local
        if getattr(local, "db", None) is None:
            local.db = connect(self._path)
            local.transport = transports.from_config(self.app.config)
            with self._lock:
                self._opened.append(local.db)
        return local.db, local.transport

    def _drop(self, db):
        """Close this thread's connection after an error."""
        self._local.db = None
        with self._lock:
            if db in self._opened:
                self._opened.remove(db)
        db.conn.close()

    def close(self):
        """Wait for the threads and close their connections."""
        self._pool.shutdown(wait=True)
        with self._lock:
            for db in self._opened:
                db.conn.close()
            self._opened.clear()
