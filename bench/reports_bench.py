"""Reports on the 100-commune database: /province, one commune's report, the province's XLSX.

Reuses the communes bench's database (bench.communes_bench.build; COMMUNES_BENCH_DIR keeps
it between runs) and times, in process through the Flask test client, the province page, one
commune's monthly report page and writing every commune's XLSX, beside the queue page of the
same commune on the same database. The province's figures are also timed both ways in the same
run: from the raw rows (the baseline, as the page read them before the daily counters) and from
the counters. The month is the last complete one before the frozen day.

    COMMUNES_BENCH_DIR=/tmp/communes python -m bench.reports_bench
"""

import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROUNDS = 5
GOALS_MS = {"/province": 500, "report page": 1000, "province XLSX": 10000}


def _province_client(app, path):
    from app.accounts import users
    from bench.communes_bench import PASSWORD
    from db import connect

    db = connect(path)
    with db.conn:
        if not users.by_username(db, "province"):
            users.create_user(db, "province", PASSWORD, role="staff")
        db.execute("UPDATE staff_users SET province = 1 WHERE username = 'province'")
    db.conn.close()
    client = app.test_client()
    response = client.post("/login", data={"username": "province", "password": PASSWORD})
    assert response.status_code == 302
    return client


def _time(action, rounds=ROUNDS):
    samples = []
    for _ in range(rounds):
        started = time.perf_counter()
        action()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def main():
    """Time the report pages and files on the big database; print the table."""
    root = Path(__file__).resolve().parent.parent
    if str(root) not in sys.path:
        sys.path.insert(0, str(root))
    import time_machine

    from app import communes
    from app.reports import figures as report_figures
    from app.reports import files, months
    from app.reports import province as province_view
    from bench.communes_bench import COMMUNES, KEEP, build, make_app, staff_client
    from db import connect
    from tests.conftest import DAY_HOUR

    with tempfile.TemporaryDirectory() as scratch, time_machine.travel(DAY_HOUR, tick=True):
        folder = Path(KEEP or scratch)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"province-{COMMUNES}.db"
        build(path, COMMUNES, random.Random(1))
        app = make_app(path)
        province = _province_client(app, path)
        officer = staff_client(app, path, COMMUNES)
        month = months.label(*months.last_complete(DAY_HOUR.tzinfo))
        code = f"C{COMMUNES:03d}"

        def get(client, url):
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)

        def xlsx():
            db = connect(path)
            with app.app_context():
                for commune in communes.every(db):
                    files.write_month(db, commune, month, Path(scratch) / "reports", ("xlsx",))
            db.conn.close()

        def from_raw_rows():
            # The baseline: the figures /province showed before the daily counters, read
            # from the raw tables, nine queries per commune.
            db = connect(path)
            year, number = months.parse(month)
            with app.app_context():
                for commune in communes.every(db):
                    report_figures.month_figures(db, commune, year, number)
            db.conn.close()

        def from_counters():
            db = connect(path)
            with app.app_context():
                province_view.overview(db, month)
            db.conn.close()

        get(province, f"/province?month={month}")  # warm-up
        figures = {
            "queue page": _time(lambda: get(officer, "/")),
            "/province": _time(lambda: get(province, f"/province?month={month}")),
            "  its figures, raw rows (before)": _time(from_raw_rows),
            "  its figures, daily counters": _time(from_counters),
            "report page": _time(lambda: get(province, f"/reports/{code}/{month}")),
            "province XLSX": _time(xlsx, rounds=1),
        }
    print(f"Reports on {COMMUNES} communes, month {month} (median of {ROUNDS}, ms):")
    for label, ms in figures.items():
        goal = GOALS_MS.get(label)
        verdict = "" if goal is None else (" ok" if ms < goal else f" OVER {goal} ms")
        print(f"  {label:<34} {ms:>9.1f}{verdict}")
    return figures


if __name__ == "__main__":
    main()
