"""Token buckets shared by every process of a server, in a small SQLite file of their own.

Open311 reads are counted here so that a limit holds across all gunicorn workers, not per
worker. The file is apart from the main database: counting a read takes this file's write
lock for a few microseconds, never the one the SMS webhooks need. A bucket is one row
(name, tokens, stamp); it refills continuously with wall-clock time, which every process
shares (time.monotonic is per process).
"""

import sqlite3
import threading
import time

from db.files import private_file

SCHEMA = (
    "CREATE TABLE IF NOT EXISTS buckets"
    " (name TEXT PRIMARY KEY, tokens REAL NOT NULL, stamp REAL NOT NULL)"
)
# Every this many takes, buckets idle long enough to be full again are dropped.
SWEEP_EVERY = 1000
OPEN_TRIES = 5


class SharedBuckets:
    """Token buckets by name in the SQLite file PATH; one connection per thread."""

    def __init__(self, path, *, full_after=3600.0):
        self.path = str(path)
        self.full_after = full_after
        self._local = threading.local()

    def _connection(self):
        """Return the calling thread's connection, opened once (file and table made if missing)."""
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._open()
            self._local.conn = conn
            self._local.takes = 0
        return conn

    def _open(self):
        """Open the file, make it a WAL file and create the table; retry a brief race."""
        for attempt in range(OPEN_TRIES):
            # Client addresses and key digests: owner-only, as SQLite's side files then are.
            private_file(self.path)
            conn = sqlite3.connect(self.path, timeout=5, isolation_level=None)
            try:
                conn.execute("PRAGMA journal_mode=WAL")
                # Losing the last counts in a power cut only forgives a few reads.
                conn.execute("PRAGMA synchronous=OFF")
                conn.execute(SCHEMA)
                return conn
            except sqlite3.OperationalError:
                conn.close()
                # Workers opening the new file at once can meet it half turned into a WAL
                # file ("disk I/O error"); a moment later it is whole.
                if attempt == OPEN_TRIES - 1:
                    raise
                time.sleep(0.05 * (attempt + 1))
        raise AssertionError("unreachable")

    def take(self, name, *, per_minute, burst, now=None):
        """Take one token from NAME, or return the seconds until one is there."""
        now = time.time() if now is None else now
        rate = per_minute / 60.0
        conn = self._connection()
        conn.execute("BEGIN IMMEDIATE")
        try:
            row = conn.execute(
                "SELECT tokens, stamp FROM buckets WHERE name = :name", {"name": name}
            ).fetchone()
            tokens, stamp = row if row else (float(burst), now)
            tokens = min(float(burst), tokens + max(0.0, now - stamp) * rate)
            wait = None
            if tokens < 1.0:
                wait = max(1, int((1.0 - tokens) / rate + 0.999))
            else:
                tokens -= 1.0
            conn.execute(
                "INSERT INTO buckets (name, tokens, stamp) VALUES (:name, :tokens, :stamp)"
                " ON CONFLICT (name) DO UPDATE SET tokens = excluded.tokens,"
                " stamp = excluded.stamp",
                {"name": name, "tokens": tokens, "stamp": now},
            )
            self._local.takes += 1
            if self._local.takes % SWEEP_EVERY == 0:
                conn.execute(
                    "DELETE FROM buckets WHERE stamp < :full_since",
                    {"full_since": now - self.full_after},
                )
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        return wait
