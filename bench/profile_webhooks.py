"""In-process cost of each webhook path: milliseconds and SQL statements per request.

Runs the real app (Flask test client, one thread, so one kept connection as in a gunicorn
thread) on a temporary migrated and seeded database, posting Twilio-signed webhooks with a
new MessageSid/CallSid and a new number each time, like `bench.webhooks` but without
gunicorn or sockets. Statements are counted with sqlite3's trace callback on the thread's
connection. "SQL" counts the statements that read or write data; transaction control
(BEGIN, COMMIT, ROLLBACK, SAVEPOINT, RELEASE) is counted apart, in "tx".

    python -m bench.profile_webhooks              # ms and statements per request
    python -m bench.profile_webhooks --profile    # plus the top of a cProfile, per path
    python -m bench.profile_webhooks --profile --sort tottime
    python -m bench.profile_webhooks --statements # plus the statements of one request
    PROFILE_REQUESTS=1000 python -m bench.profile_webhooks
"""

import argparse
import contextlib
import cProfile
import io
import os
import pstats
import tempfile
import time
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import urlsplit

from twilio.request_validator import RequestValidator

import db as storage
from app import create_app
from app.seed.loader import seed
from bench import loadgen
from bench.harness import AUTH_TOKEN
from bench.webhooks import HAMLET_NAMES, PROCEDURE_CODES, QUESTIONS

BASE_URL = "https://hamlet.example.org"
REQUESTS = int(os.environ.get("PROFILE_REQUESTS", "300"))
TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE", "END")
# Issue 18: statements that read or write data, per request; issue 24 adds one to each, the
# lookup of the commune that owns the number the SMS was sent to (To).
STATEMENT_GOALS = {"sms HEN": 13, "sms guidance": 7}
# The worker process checkpoints the WAL every 2 s; at a few hundred requests a second
# that is every few hundred requests.
CHECKPOINT_EVERY = 200


class StatementLog:
    """The statements one connection ran, split into data statements and transaction control."""

    def __init__(self):
        self.data = []
        self.control = []

    def __call__(self, statement):
        words = statement.lstrip().split(None, 1)
        kind = words[0].upper() if words else ""
        (self.control if kind in TRANSACTION_CONTROL else self.data).append(statement)

    def clear(self):
        self.data.clear()
        self.control.clear()


@contextlib.contextmanager
def statements_of(database):
    """Record every statement DATABASE runs inside the block; yield the StatementLog."""
    log = StatementLog()
    database.conn.set_trace_callback(log)
    try:
        yield log
    finally:
        database.conn.set_trace_callback(None)


def make_app(folder):
    """A migrated and seeded app on a database in FOLDER, as the tests build it."""
    db_path = Path(folder) / "profile.db"
    app = create_app(
        {
            "DATABASE_PATH": str(db_path),
            "SECRET_KEY": "profile-secret",
            "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
            "TWILIO_FROM_NUMBER": loadgen.TWILIO_NUMBER,
            "PUBLIC_BASE_URL": BASE_URL,
            "SIMULATOR": False,
        }
    )
    storage.migrate(db_path)
    with app.app_context():
        database = storage.connect(db_path)
        seed(database)
        database.conn.close()
    return app, db_path


def post(client, path, params):
    """POST a Twilio-signed form and return the response, failing on anything but 200."""
    signature = RequestValidator(AUTH_TOKEN).compute_signature(BASE_URL + path, params)
    response = client.post(path, data=params, headers={"X-Twilio-Signature": signature})
    if response.status_code != 200:
        raise RuntimeError(f"{path} answered {response.status_code}: {response.data[:200]!r}")
    return response


def sms(n, body):
    """The signed-form arguments of SMS number N saying BODY, from a number of its own."""
    sid = loadgen.message_sid(n, "p")
    return ("/sms/twilio", loadgen.sms_params(sid, loadgen.mobile_number(n), body))


SMS_PATHS = {
    "sms HEN": lambda n: f"HEN {HAMLET_NAMES[n % len(HAMLET_NAMES)]}",
    "sms guidance": lambda n: PROCEDURE_CODES[n % len(PROCEDURE_CODES)],
    "sms schedule": lambda n: f"LICH {HAMLET_NAMES[n % len(HAMLET_NAMES)]}",
    "sms question": lambda n: QUESTIONS[n % len(QUESTIONS)],
}


def step_path(client):
    """The path the first <Gather> of /voice/incoming posts the caller's key to."""
    first = post(
        client, "/voice/incoming", loadgen.call_params(loadgen.call_sid(0, "r"), "+84909999999")
    )
    action = urlsplit(ET.fromstring(first.data).find(".//Gather").get("action"))
    return action.path + (f"?{action.query}" if action.query else "")


def path_requests(client, count, start):
    """COUNT requests per path, each from a new number: {path name: [(url, params)]}."""
    paths = {}
    for offset, (name, body) in enumerate(SMS_PATHS.items()):
        first = start + offset * count
        paths[name] = [sms(n, body(n)) for n in range(first, first + count)]
    menu = step_path(client)
    first = start + len(SMS_PATHS) * count
    calls = [
        (loadgen.call_sid(n, "q"), loadgen.mobile_number(n)) for n in range(first, first + count)
    ]
    paths["voice incoming"] = [("/voice/incoming", loadgen.call_params(*call)) for call in calls]
    paths["voice step"] = [
        (menu, loadgen.call_params(*call, Digits="1", FinishedOnKey="")) for call in calls
    ]
    return paths


def measure(client, log, requests, db_path, profiler=None):
    """Send REQUESTS; return (ms, data statements, transaction statements) per request.

    Every CHECKPOINT_EVERY requests a passive WAL checkpoint runs off the clock, on a
    connection of its own, as the worker process does in production.
    """
    log.clear()
    elapsed = 0.0
    for start in range(0, len(requests), CHECKPOINT_EVERY):
        started = time.perf_counter()
        if profiler:
            profiler.enable()
        for path, params in requests[start : start + CHECKPOINT_EVERY]:
            post(client, path, params)
        if profiler:
            profiler.disable()
        elapsed += time.perf_counter() - started
        checkpointer = storage.connect(db_path)
        storage.checkpoint(checkpointer)
        checkpointer.conn.close()
    count = len(requests)
    return 1000 * elapsed / count, len(log.data) / count, len(log.control) / count


def run(requests=REQUESTS, profile=False, show_statements=False, top=25, sort="cumulative"):
    """Measure every path; return {path name: {"ms", "sql", "tx"}}."""
    with tempfile.TemporaryDirectory(prefix="hamlet-profile-") as folder:
        app, db_path = make_app(folder)
        client = app.test_client()
        # Warm up: imports, template and regex caches, the first trips generated, and this
        # thread's kept connection opened.
        for path, params in path_requests(client, 8, 1_000_000)["sms HEN"]:
            post(client, path, params)
        database = storage.kept.take(db_path)
        storage.kept.give_back(database)
        results = {}
        with statements_of(database) as log:
            for name, batch in path_requests(client, requests, 0).items():
                if show_statements:
                    log.clear()
                    post(client, *batch.pop())
                    print(f"--- {name}: one request ---")
                    for statement in log.data:
                        print("   ", " ".join(statement.split())[:160])
                profiler = cProfile.Profile() if profile else None
                ms, sql, tx = measure(client, log, batch, db_path, profiler)
                results[name] = {"ms": round(ms, 2), "sql": round(sql, 1), "tx": round(tx, 1)}
                if profiler:
                    out = io.StringIO()
                    pstats.Stats(profiler, stream=out).sort_stats(sort).print_stats(top)
                    print(f"--- {name} ---\n{out.getvalue()}")
        storage.kept.close_all()
    return results


def verdicts(results):
    """Each statement goal with its measured figure and whether it was met."""
    return [
        (f"{name} SQL statements <= {goal}", results[name]["sql"], results[name]["sql"] <= goal)
        for name, goal in STATEMENT_GOALS.items()
    ]


def print_table(results, requests=REQUESTS):
    """Print ms and statements per request for every path."""
    print(f"In-process cost per request ({requests} requests a path, Flask test client)")
    print(f"{'path':<16}{'ms/request':>12}{'SQL/request':>13}{'tx/request':>12}")
    for name, figures in results.items():
        print(f"{name:<16}{figures['ms']:>12.2f}{figures['sql']:>13.1f}{figures['tx']:>12.1f}")
    for goal, figure, met in verdicts(results):
        print(f"  {'met   ' if met else 'MISSED'}  {goal}: {figure}")


def main():
    """Print ms/request and statements/request for every path (and profiles if asked)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", action="store_true", help="print the top of a cProfile")
    parser.add_argument("--statements", action="store_true", help="print one request's SQL")
    parser.add_argument("--top", type=int, default=25, help="profile lines to print")
    parser.add_argument("--sort", default="cumulative", help="profile order (e.g. tottime)")
    args = parser.parse_args([] if __name__ != "__main__" else None)
    results = run(
        profile=args.profile, show_statements=args.statements, top=args.top, sort=args.sort
    )
    print_table(results)
    return results


if __name__ == "__main__":
    main()
