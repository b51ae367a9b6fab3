"""Sliding-window limits kept in the database, so every worker process counts the same hits.

A hit is one row (bucket, time). Counting the bucket's rows in the window answers whether one
more is allowed; the bucket's rows older than the window are dropped as it goes, so the table
holds at most the limits' worth of rows per bucket. Call inside the write transaction that
does the limited work: a refused or failed attempt rolls back and leaves no hit.
"""

from app.infra import clock


def hit(db, bucket, *, limit, window):
    """Record one hit in BUCKET, or return the seconds to wait when LIMIT are in WINDOW."""
    now = clock.now()
    since = clock.iso(now - window)
    db.execute(
        "DELETE FROM rate_hits WHERE bucket = :bucket AND at <= :since",
        {"bucket": bucket, "since": since},
    )
    count, oldest = db.execute(
        "SELECT count(*), min(at) FROM rate_hits WHERE bucket = :bucket", {"bucket": bucket}
    ).fetchone()
    if count >= limit:
        frees_at = clock.parse(oldest) + window if oldest else now + window
        return max(1, int((frees_at - now).total_seconds()) + 1)
    db.execute(
        "INSERT INTO rate_hits (bucket, at) VALUES (:bucket, :now)",
        {"bucket": bucket, "now": clock.iso(now)},
    )
    return None
