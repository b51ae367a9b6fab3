"""The answering worker's lease against the size of the backlog, beside the former statement.

A migrated, seeded database gets BACKLOG messages stored at the door (one phone each, as a
burst of new residents); then `waiting.lease` takes 20 phones, and the GROUP BY statement it
replaced is timed on the same rows, each the fastest of REPEAT tries, rolled back so every
try sees the same backlog. The former is timed finding its phones only, not taking them, so
the comparison flatters it. Run with `python -m bench.lease_bench`.
"""

import os
import tempfile
import time

from app import communes
from app.delivery import waiting
from app.infra import clock
from app.infra.database import get_db
from bench.profile_webhooks import make_app

BACKLOGS = (100, 1_000, 12_000)
PHONES = 20
REPEAT = int(os.environ.get("LEASE_BENCH_REPEAT", "7"))
# The lease before this benchmark: every waiting row grouped by phone on each lease.
GROUPED = """
    SELECT commune_id, phone FROM inbox_waiting AS w
    WHERE NOT EXISTS (
        SELECT 1 FROM inbox_waiting AS held
        WHERE held.commune_id = w.commune_id AND held.phone = w.phone
          AND held.lease_owner IS NOT NULL AND held.lease_expires_at > :now
          AND held.lease_owner != :owner
    )
    GROUP BY commune_id, phone
    ORDER BY min(message_id)
    LIMIT :phones
"""


def _fastest(action):
    """The fastest of REPEAT runs of ACTION in milliseconds, each rolled back."""
    best = float("inf")
    for _ in range(REPEAT):
        started = time.perf_counter()
        action()
        best = min(best, time.perf_counter() - started)
    return round(best * 1000, 2)


def measure(db, stored):
    """(current lease ms, former statement ms) with STORED messages waiting."""

    def current():
        db.conn.execute("SAVEPOINT bench")
        try:
            assert len(waiting.lease(db, "bench", phones=PHONES)) == PHONES
        finally:
            db.conn.execute("ROLLBACK TO bench")
            db.conn.execute("RELEASE bench")

    def former():
        params = {"now": clock.iso(clock.now()), "owner": "bench", "phones": PHONES}
        assert len(db.conn.execute(GROUPED, params).fetchall()) == PHONES

    assert waiting.count(db) == stored
    return _fastest(current), _fastest(former)


def main():
    """Print the lease's time at each backlog beside the former statement's; return figures."""
    figures = []
    with tempfile.TemporaryDirectory() as folder:
        app, _path = make_app(folder)
        with app.app_context():
            db = get_db()
            commune = communes.by_id(db, 1)
            stored = 0
            for backlog in BACKLOGS:
                for n in range(stored, backlog):
                    waiting.take(
                        db,
                        commune=commune,
                        phone=f"+8491{n:07d}",
                        body="HEN PHU HOA A",
                        provider="bench",
                        provider_id=f"B{n}",
                        dedupe_key=f"bench:{n}",
                    )
                stored = backlog
                lease_ms, former_ms = measure(db, stored)
                figures.append({"waiting": backlog, "lease_ms": lease_ms, "former_ms": former_ms})
    print(f"Lease of {PHONES} phones (fastest of {REPEAT}), beside the former GROUP BY statement")
    print(f"{'waiting':>8} {'lease ms':>9} {'former ms':>10} {'ratio':>6}")
    for row in figures:
        ratio = row["former_ms"] / row["lease_ms"] if row["lease_ms"] else float("inf")
        print(f"{row['waiting']:>8} {row['lease_ms']:>9} {row['former_ms']:>10} {ratio:>6.1f}")
    return {"rows": figures}


if __name__ == "__main__":
    main()
