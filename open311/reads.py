"""How often Open311 may be read: per API key and per client address, across the server.

Anonymous GETs of 500 rows each, from 40 threads, took the database from the SMS webhooks
(the SMS p50 went from 13 ms to 656 ms). Reads are limited with token buckets kept in a
small SQLite file beside the database (app.infra.shared_buckets), not in the database, so
counting a read never waits for the write lock the webhooks need, and every gunicorn worker
counts the same reads. nginx's `limit_req` zone (deploy/nginx) also holds the address limit
in front. TokenBuckets, in one process's memory, remains for a single-process caller.
"""

import hashlib
import threading
import time

from open311.spec import ApiError

# (reads a minute, burst). A dashboard refreshes every few seconds; a sync pages through
# the queue in a burst. Anonymous readers share their address's bucket.
PER_ADDRESS = (60, 30)
PER_KEY = (120, 60)
# Buckets kept at most; past it the full ones (idle long enough to refill) are dropped.
MAX_BUCKETS = 10_000


class TooManyReads(ApiError):
    """A 429: this key or address read too often; RETRY_AFTER is in seconds."""

    def __init__(self, description, retry_after):
        super().__init__(429, description)
        self.retry_after = retry_after


class TokenBuckets:
    """Token buckets by name, refilled continuously; safe across one process's threads."""

    def __init__(self):
        self._buckets = {}
        self._lock = threading.Lock()

    def take(self, name, *, per_minute, burst, now=None):
        """Take one token from NAME, or return the seconds until one is there."""
        now = time.monotonic() if now is None else now
        rate = per_minute / 60.0
        with self._lock:
            tokens, stamp = self._buckets.get(name, (float(burst), now))
            tokens = min(float(burst), tokens + (now - stamp) * rate)
            if tokens < 1.0:
                self._buckets[name] = (tokens, now)
                return max(1, int((1.0 - tokens) / rate + 0.999))
            self._buckets[name] = (tokens - 1.0, now)
            if len(self._buckets) > MAX_BUCKETS:
                self._forget_full(now)
            return None

    def _forget_full(self, now):
        """Drop buckets idle long enough to be full again (they would start full anyway)."""
        full_after = max(PER_ADDRESS[1] / PER_ADDRESS[0], PER_KEY[1] / PER_KEY[0]) * 60
        for name, (_tokens, stamp) in list(self._buckets.items()):
            if now - stamp > full_after:
                del self._buckets[name]


def shared_path(database_path):
    """The read counters' file beside the database at DATABASE_PATH."""
    return f"{database_path}-open311-reads"


def check(address, raw_key, *, buckets, per_address=PER_ADDRESS, per_key=PER_KEY):
    """Count one read from ADDRESS (and RAW_KEY when given) in BUCKETS, or raise TooManyReads."""
    if raw_key:
        # The key is never kept in memory as given: a digest names its bucket.
        digest = hashlib.sha256(raw_key.encode("utf-8", "replace")).hexdigest()
        wait = buckets.take(f"key:{digest}", per_minute=per_key[0], burst=per_key[1])
        if wait:
            raise TooManyReads(
                f"this api_key read more than {per_key[0]} times a minute; "
                f"try again in {wait} seconds",
                wait,
            )
    wait = buckets.take(f"address:{address}", per_minute=per_address[0], burst=per_address[1])
    if wait:
        raise TooManyReads(
            f"this address read more than {per_address[0]} times a minute; "
            f"try again in {wait} seconds",
            wait,
        )
