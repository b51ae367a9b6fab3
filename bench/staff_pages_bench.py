"""Staff console pages at scale: 100,000 requests and 5,000 residents.

Builds a migrated, seeded database, fills it with a year of history (most requests closed,
a few thousand open, the coming trips booked full), then times the queue page in its
common forms and the trip sheet through the Flask test client, signed in as an officer.
Reports the median and 95th percentile server time per page.

    python -m bench.staff_pages_bench
    STAFF_BENCH_REQUESTS=20000 STAFF_BENCH_ROUNDS=20 python -m bench.staff_pages_bench
"""

import datetime as dt
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

REQUESTS = int(os.environ.get("STAFF_BENCH_REQUESTS", "100000"))
RESIDENTS = int(os.environ.get("STAFF_BENCH_RESIDENTS", "5000"))
ROUNDS = int(os.environ.get("STAFF_BENCH_ROUNDS", "40"))
PASSWORD = "bench-password-1"

FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Huỳnh", "Võ", "Phan", "Đặng", "Bùi", "Đỗ"]
MIDDLE = ["Văn", "Thị", "Hữu", "Minh", "Ngọc", "Thanh"]
GIVEN = ["Hoa", "Bảy", "Mai", "Út", "Lan", "Tư", "Sáu", "Hùng", "Cúc", "Tám", "Phúc", "Hạnh"]
CLOSED_VISIT = ["visited"] * 8 + ["cancelled", "unreachable"]
CLOSED_QUESTION = ["answered"] * 4 + ["closed"]


def iso(moment):
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def build(db, rng):
    """Fill DB with residents, a year of requests and full coming trips; return a trip id."""
    from app import trips
    from db import transaction

    hamlet_ids = [row[0] for row in db.execute("SELECT id FROM hamlets").fetchall()]
    now = dt.datetime.now(dt.UTC)
    with transaction(db):
        db["residents"].insert_all(
            (
                {
                    "phone": f"+8491{n:07d}",
                    "name": f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}",
                    "hamlet_id": rng.choice(hamlet_ids),
                    "language": "vi",
                    "age_75_plus": int(rng.random() < 0.3),
                    "created_at": iso(now),
                    "updated_at": iso(now),
                }
                for n in range(RESIDENTS)
            ),
            batch_size=1000,
        )
        resident_hamlet = dict(db.execute("SELECT id, hamlet_id FROM residents").fetchall())
        resident_ids = list(resident_hamlet)
        trips.ensure_trips(db)
        coming = list(db.query("SELECT id, starts_at FROM trips ORDER BY starts_at"))
        served = {}
        for trip_id, hamlet_id in db.execute("SELECT trip_id, hamlet_id FROM trip_hamlets"):
            served.setdefault(trip_id, []).append(hamlet_id)
        rows = []
        open_count = 0
        for n in range(REQUESTS):
            resident = rng.choice(resident_ids)
            kind = "visit" if rng.random() < 0.7 else "question"
            age = dt.timedelta(seconds=rng.randint(0, 365 * 24 * 3600))
            is_open = n % 50 == 0  # about 2% still open
            status = (
                ("new" if kind == "visit" else "open")
                if is_open
                else rng.choice(CLOSED_VISIT if kind == "visit" else CLOSED_QUESTION)
            )
            open_count += is_open
            rows.append(
                {
                    "ref": f"B{n:06d}",
                    "kind": kind,
                    "service_code": "VISIT" if kind == "visit" else "QUESTION",
                    "resident_id": resident,
                    "hamlet_id": resident_hamlet[resident],
                    "channel": rng.choice(["sms", "sms", "voice", "staff"]),
                    "status": status,
                    "description": "Nhờ cán bộ giúp làm giấy tờ",
                    "priority": 0,
                    "requested_at": iso(now - age),
                    "updated_at": iso(now - age),
                }
            )
        # The coming trips are booked to capacity, as in a busy month.
        ref = REQUESTS
        for trip in coming:
            for _ in range(8):
                hamlet = rng.choice(served[trip["id"]])
                resident = rng.choice(
                    [r for r in resident_ids[:500] if resident_hamlet[r] == hamlet] or resident_ids
                )
                rows.append(
                    {
                        "ref": f"B{ref:06d}",
                        "kind": "visit",
                        "service_code": rng.choice(["VISIT", "CANCUOC", "VNEID", "HUUTRI"]),
                        "resident_id": resident,
                        "hamlet_id": resident_hamlet[resident],
                        "channel": "sms",
                        "status": "scheduled",
                        "trip_id": trip["id"],
                        "expected_datetime": trip["starts_at"],
                        "priority": int(rng.random() < 0.3),
                        "requested_at": iso(now - dt.timedelta(hours=ref % 200)),
                        "updated_at": iso(now),
                    }
                )
                ref += 1
        db["requests"].insert_all(rows, batch_size=2000)
    db.execute("ANALYZE")
    return coming[0]["id"], open_count


def timed(client, path, rounds):
    """Return the server times (ms) of ROUNDS GETs of PATH, after one warm-up."""
    assert client.get(path).status_code == 200, path
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        response = client.get(path)
        samples.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, path
    return samples


def p95(samples):
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


def main():
    """Build the data set, time the pages, print a table and return the figures."""
    root = Path(__file__).resolve().parent.parent
    if str(root) not in sys.path:
        sys.path.insert(0, str(root))
    from app import communes, create_app
    from app.accounts import users
    from app.seed.loader import seed
    from db import connect, migrate

    rng = random.Random(6)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.db"
        migrate(path)
        app = create_app(
            {
                "DATABASE_PATH": str(path),
                "SECRET_KEY": "bench",
                "TWILIO_AUTH_TOKEN": "bench",
                "PUBLIC_BASE_URL": "http://127.0.0.1:8000",
                "WTF_CSRF_ENABLED": False,
            }
        )
        started = time.perf_counter()
        with app.app_context():
            db = connect(path)
            seed(db)
            with communes.bound(communes.first_commune(db)):
                trip_id, open_count = build(db, rng)
            users.create_user(
                db, "bench", PASSWORD, role="admin", commune=communes.first_commune(db)
            )
            hamlet = db.execute("SELECT id FROM hamlets ORDER BY route_order LIMIT 1").fetchone()[0]
            total = db["requests"].count
            db.conn.close()
        build_seconds = time.perf_counter() - started
        client = app.test_client()
        login = client.post("/login", data={"username": "bench", "password": PASSWORD})
        assert login.status_code == 302
        pages = [
            ("queue (open, page 1)", "/"),
            ("queue page 20 (open)", "/?page=20"),
            ("queue all statuses", "/?status=all"),
            ("queue hamlet filter", f"/?status=all&hamlet={hamlet}"),
            ("queue search phone", "/?q=0910001234"),
            ("queue search name", "/?q=nguyen+thi+hoa&status=all"),
            ("queue search ref", "/?q=B012345&status=all"),
            ("trip sheet", f"/trips/{trip_id}"),
            ("trip sheet CSV", f"/trips/{trip_id}.csv"),
        ]
        results = []
        for label, url in pages:
            samples = timed(client, url, ROUNDS)
            results.append(
                {
                    "page": label,
                    "median_ms": round(statistics.median(samples), 1),
                    "p95_ms": round(p95(samples), 1),
                }
            )
    print(
        f"Staff pages: {total:,} requests ({open_count:,} open), {RESIDENTS:,} residents, "
        f"{ROUNDS} rounds each (data built in {build_seconds:.0f} s)"
    )
    print(f"  {'page':<24} {'median ms':>10} {'p95 ms':>10}")
    for row in results:
        print(f"  {row['page']:<24} {row['median_ms']:>10} {row['p95_ms']:>10}")
    return {"requests": total, "residents": RESIDENTS, "pages": results}


if __name__ == "__main__":
    main()
