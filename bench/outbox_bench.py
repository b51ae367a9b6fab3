"""Outbox throughput: messages per second through the console transport, 1 and 2 workers.

Each scenario uses a fresh migrated and seeded database, queues N messages, then starts the
worker processes together; each runs the real lease → send → record loop
(`outbox.send_due`, batch of 50, as `flask worker` does) until nothing is left. Every row
must end up sent exactly once; duplicates are counted and reported.

A second pair of runs puts a 20 ms delay in front of the console transport, standing in
for a provider's HTTP round trip, with N/4 messages.

    python -m bench.outbox_bench            # N = 2000
    OUTBOX_BENCH_MESSAGES=10000 python -m bench.outbox_bench
"""

import multiprocessing
import os
import tempfile
import time
from pathlib import Path

BATCH = 50
LATENCY_SECONDS = 0.02  # a stand-in for a provider's HTTP round trip


class _LatencyTransport:
    """The console transport behind a fixed delay, like a network provider."""

    name = "console+latency"

    def __init__(self, delay):
        from app.delivery import transports

        self.delay = delay
        self.console = transports.ConsoleTransport()

    def send(self, message):
        time.sleep(self.delay)
        return self.console.send(message)

    def find(self, message):
        return self.console.find(message)


def _app(db_path):
    """An app on DB_PATH with the console transport."""
    from app import create_app

    return create_app(
        {"DATABASE_PATH": str(db_path), "SECRET_KEY": "bench", "SMS_TRANSPORT": "console"}
    )


def prepare(db_path, count):
    """Migrate, seed and queue COUNT messages; quiet hours off so the time of day is moot."""
    from app import communes
    from app.catalogue import commune_settings
    from app.delivery import outbox
    from app.seed.loader import seed
    from db import connect, migrate, transaction

    migrate(db_path)
    app = _app(db_path)
    with app.app_context():
        db = connect(db_path)
        seed(db)
        with transaction(db), communes.bound(communes.first_commune(db)):
            commune_settings.save(db, {"quiet_start": "00:00", "quiet_end": "00:00"})
            for n in range(count):
                phone = f"+8491{n:07d}"
                body = f"Xa Phu Lam: Nhac lich: to luu dong den ap Phu Hoa A Thu 3, ma B{n:05d}."
                outbox.enqueue(db, phone, body, kind="reminder")
        db.conn.close()


def _worker(db_path, delay, go, done):
    """One worker process: wait for GO, then send until the queue is empty."""
    from app.delivery import outbox, transports
    from db import connect

    app = _app(db_path)
    with app.app_context():
        db = connect(db_path)
        transport = _LatencyTransport(delay) if delay else transports.ConsoleTransport()
        owner = outbox.new_owner()
        go.wait()
        sent = 0
        while True:
            batch = outbox.send_due(db, BATCH, transport=transport, owner=owner)
            if not batch:
                break
            sent += batch
        db.conn.close()
    done.put(sent)


def run_scenario(workers, count, delay=0.0):
    """Send COUNT messages with WORKERS processes (each send taking DELAY); return figures."""
    context = multiprocessing.get_context("spawn")
    with tempfile.TemporaryDirectory() as tmp:
        db_path = Path(tmp) / "bench.db"
        prepare(db_path, count)
        go, done = context.Event(), context.Queue()
        processes = [
            context.Process(target=_worker, args=(str(db_path), delay, go, done))
            for _ in range(workers)
        ]
        for process in processes:
            process.start()
        time.sleep(1.0)  # let every process import and connect before the clock starts
        started = time.perf_counter()
        go.set()
        per_worker = [done.get(timeout=600) for _ in processes]
        seconds = time.perf_counter() - started
        for process in processes:
            process.join()
        import sqlite3

        check = sqlite3.connect(db_path)
        sent_rows = check.execute("SELECT count(*) FROM outbox WHERE status = 'sent'").fetchone()[0]
        logged = check.execute("SELECT count(*) FROM messages WHERE direction = 'out'").fetchone()[
            0
        ]
        check.close()
    return {
        "scenario": f"{'console' if not delay else f'+{delay * 1000:.0f}ms'} x{workers}",
        "transport": "console" + (f" +{delay * 1000:.0f} ms" if delay else ""),
        "workers": workers,
        "messages": count,
        "seconds": round(seconds, 3),
        "msgs_per_s": round(count / seconds, 1),
        "sent_rows": sent_rows,
        "duplicates": logged - sent_rows,
        "per_worker": "/".join(str(n) for n in per_worker),
    }


def main():
    """Run the scenarios, print a table and return the figures."""
    count = int(os.environ.get("OUTBOX_BENCH_MESSAGES", "2000"))
    slow_count = max(1, count // 4)
    rows = [run_scenario(workers, count) for workers in (1, 2)]
    rows += [run_scenario(workers, slow_count, LATENCY_SECONDS) for workers in (1, 2)]
    print("Outbox throughput (lease → send → record per message, batch of 50, spawned processes)")
    print(
        f"{'transport':<18} {'workers':>7} {'messages':>9} {'seconds':>8} {'msg/s':>8} {'dupes':>6}"
    )
    for row in rows:
        print(
            f"{row['transport']:<18} {row['workers']:>7} {row['messages']:>9} "
            f"{row['seconds']:>8.2f} {row['msgs_per_s']:>8.1f} {row['duplicates']:>6}"
            f"  split {row['per_worker']}"
        )
    wrong = [
        row["scenario"] for row in rows if row["duplicates"] or row["sent_rows"] != row["messages"]
    ]
    if wrong:
        # Figures from a run that lost or doubled a message measure nothing worth keeping.
        raise RuntimeError(f"messages lost or sent twice in: {', '.join(wrong)}")
    return {"outbox": rows}


if __name__ == "__main__":
    main()
