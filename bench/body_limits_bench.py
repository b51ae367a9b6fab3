"""Refusing oversized bodies: server time of a 413, next to a plain request and the old parse.

Each round sends, through the app's WSGI callable in this process (no network, so only the
server's own work is timed, in CPU seconds of this process):

- the report's attack, 2 MB of urlencoded form in 200,000 fields with a Content-Length, to
  /sms/twilio, /voice/incoming, /login and Open311's POST;
- 60 KB in 20,000 fields (under the size cap, over the field cap) to the same routes;
- the baseline, GET /healthz, in the same app and the same rounds;
- and, a few times, what the 2 MB form cost before: a bare Flask app with no limits parsing
  it and reading it back (`request.form`), as every route used to.

The goal is a refusal in under 50 ms of server time, in every round. The garbage collector
is off while a request is timed, as `timeit` does.

    python -m bench.body_limits_bench            # 20 rounds
    BODY_BENCH_ROUNDS=50 python -m bench.body_limits_bench
"""

import gc
import io
import os
import statistics
import tempfile
import time
from pathlib import Path

GOAL_MS = 50
ROUTES = ["/sms/twilio", "/voice/incoming", "/login", "/open311/v2/requests.json"]
FLOOD = b"&".join(b"f%d=x" % number for number in range(200_000))[: 2 * 1024 * 1024]
MANY_FIELDS = b"&".join(b"a=" for _ in range(20_000))


def _environ(path, body, method="POST"):
    """A WSGI environ for PATH with BODY as a urlencoded form of known length."""
    from werkzeug.test import EnvironBuilder

    environ = EnvironBuilder(
        path=path, method=method, base_url="https://hamlet.example"
    ).get_environ()
    environ.update(
        {
            "wsgi.input": io.BytesIO(body),
            "CONTENT_LENGTH": str(len(body)),
            "CONTENT_TYPE": "application/x-www-form-urlencoded",
            "HTTP_X_TWILIO_SIGNATURE": "bogus",
        }
    )
    return environ


def server_ms(wsgi_app, path, body=b"", method="POST"):
    """CPU milliseconds this process spends answering one request; and its status."""
    statuses = []
    environ = _environ(path, body, method)
    # As timeit does: the collector off while timing, so a pause for garbage that earlier
    # rounds left is not charged to this request.
    gc.collect()
    gc.disable()
    try:
        start = time.process_time()
        b"".join(wsgi_app(environ, lambda status, headers, exc=None: statuses.append(status)))
        spent = time.process_time() - start
    finally:
        gc.enable()
    return spent * 1000, statuses[0].split()[0]


def _service_app(workdir):
    from app import create_app
    from app.seed.loader import seed
    from db import connect, migrate

    db_path = Path(workdir) / "bench.db"
    migrate(db_path)
    app = create_app(
        {
            "DATABASE_PATH": str(db_path),
            "SECRET_KEY": "bench",
            "TWILIO_AUTH_TOKEN": "bench-token",
            "PUBLIC_BASE_URL": "https://hamlet.example",
        }
    )
    with app.app_context():
        database = connect(db_path)
        seed(database)
        database.conn.close()
    return app


def _unlimited_app():
    """What every route did before: parse whatever form arrives, then look at it."""
    from flask import Flask, request

    bare = Flask("unlimited")

    @bare.post("/parse")
    def parse():
        return str(len(request.form))

    return bare


def main():
    """Run the rounds, print the table, return the figures."""
    rounds = int(os.environ.get("BODY_BENCH_ROUNDS", "20"))
    with tempfile.TemporaryDirectory() as workdir:
        app = _service_app(workdir)
        timings = {"baseline GET /healthz": []}
        statuses = {}
        for _ in range(rounds):
            ms, _status = server_ms(app.wsgi_app, "/healthz", method="GET")
            timings["baseline GET /healthz"].append(ms)
            for label, body in (
                ("2 MB / 200,000 fields", FLOOD),
                ("60 KB / 20,000 fields", MANY_FIELDS),
            ):
                for path in ROUTES:
                    name = f"{label} to {path}"
                    ms, status = server_ms(app.wsgi_app, path, body)
                    timings.setdefault(name, []).append(ms)
                    statuses[name] = status
        old = [server_ms(_unlimited_app().wsgi_app, "/parse", FLOOD)[0] for _ in range(3)]
    rows = []
    print("Refusing oversized bodies (server CPU ms per request, median of", rounds, "rounds)")
    print(f"{'request':<52} {'status':>6} {'median ms':>10} {'max ms':>8}  goal < {GOAL_MS} ms")
    for name, values in timings.items():
        median = statistics.median(values)
        refused = name in statuses
        verdict = ("met" if max(values) < GOAL_MS else "MISSED") if refused else ""
        status = statuses.get(name, "200")
        print(f"{name:<52} {status:>6} {median:>10.2f} {max(values):>8.2f}  {verdict}")
        rows.append(
            {
                "name": name,
                "refused": refused,
                "median_ms": round(median, 3),
                "max_ms": round(max(values), 3),
            }
        )
    print(
        f"{'before: parsing the 2 MB form (no limits), 3 runs':<52} {'200':>6} "
        f"{statistics.median(old):>10.1f} {max(old):>8.1f}"
    )
    rows.append({"name": "before: parse 2 MB form", "median_ms": round(statistics.median(old), 1)})
    return {"rows": rows}


def verdicts(figures):
    """Each refused request's goal, its slowest round and whether it was met."""
    return [
        (f"{row['name']} refused < {GOAL_MS} ms", row["max_ms"], row["max_ms"] < GOAL_MS)
        for row in figures["rows"]
        if row.get("refused")
    ]


if __name__ == "__main__":
    main()
