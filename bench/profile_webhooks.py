"""In-process cost of the two webhook paths: milliseconds and SQL statements per request.

Runs the real app (Flask test client, one thread) on a temporary migrated and seeded
database, posting Twilio-signed webhooks with a new MessageSid/CallSid and a new number
each time, exactly like `bench.webhooks` but without gunicorn or sockets. Statements are
counted with sqlite3's trace callback on every connection the app opens.

    python -m bench.profile_webhooks              # ms and statements per request
    python -m bench.profile_webhooks --profile    # plus the top of a cProfile, per path
    PROFILE_REQUESTS=1000 python -m bench.profile_webhooks
"""

import argparse
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
from bench import loadgen
from bench.harness import AUTH_TOKEN
from db.seed import seed

BASE_URL = "https://hamlet.example.org"
REQUESTS = int(os.environ.get("PROFILE_REQUESTS", "300"))
HAMLET_NAMES = ["Phu Hoa A", "Phu Hoa B", "Phu Thuan A", "Tan Phu", "Phu Dong", "Long Hoa 1"]


class StatementCounter:
    """Counts the SQL statements run on every connection `db.connect` opens."""

    def __init__(self):
        self.count = 0
        self._connect = storage.connect

    def _trace(self, _statement):
        self.count += 1

    def install(self):
        """Wrap db.connect so each new connection reports its statements here."""

        def connect(path):
            database = self._connect(path)
            database.conn.set_trace_callback(self._trace)
            return database

        storage.connect = connect


def make_app(folder):
    """A migrated and seeded app on a database in FOLDER, as the tests build it."""
    db_path = Path(folder) / "profile.db"
    app = create_app(
        {
            "DATABASE_PATH": str(db_path),
            "SECRET_KEY": "profile-secret",
            "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
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


def sms_requests(count, start):
    """COUNT signed-form arguments for "HEN <hamlet>" from new numbers."""
    return [
        (
            "/sms/twilio",
            loadgen.sms_params(
                loadgen.message_sid(n, "p"),
                loadgen.mobile_number(n),
                f"HEN {HAMLET_NAMES[n % len(HAMLET_NAMES)]}",
            ),
        )
        for n in range(start, start + count)
    ]


def voice_requests(client, count, start):
    """COUNT requests: /voice/incoming then the menu step pressing 1, alternately."""
    first = post(
        client, "/voice/incoming", loadgen.call_params(loadgen.call_sid(0, "r"), "+84909999999")
    )
    action = urlsplit(ET.fromstring(first.data).find(".//Gather").get("action"))
    step_path = action.path + (f"?{action.query}" if action.query else "")
    requests = []
    for n in range(start, start + count // 2):
        sid, phone = loadgen.call_sid(n, "q"), loadgen.mobile_number(n)
        requests.append(("/voice/incoming", loadgen.call_params(sid, phone)))
        requests.append((step_path, loadgen.call_params(sid, phone, Digits="1", FinishedOnKey="")))
    return requests


def measure(client, counter, requests, profiler=None):
    """Send REQUESTS; return (ms per request, statements per request)."""
    counter.count = 0
    started = time.perf_counter()
    if profiler:
        profiler.enable()
    for path, params in requests:
        post(client, path, params)
    if profiler:
        profiler.disable()
    elapsed = time.perf_counter() - started
    return 1000 * elapsed / len(requests), counter.count / len(requests)


def main():
    """Print ms/request and statements/request for SMS and voice (and profiles if asked)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", action="store_true", help="print the top of a cProfile")
    parser.add_argument("--top", type=int, default=25, help="profile lines to print")
    args = parser.parse_args()

    counter = StatementCounter()
    counter.install()
    with tempfile.TemporaryDirectory(prefix="hamlet-profile-") as folder:
        app, db_path = make_app(folder)
        # The deployed service always has the outbox worker's connection open; without one,
        # closing each request's connection checkpoints the WAL and that is all we measure.
        keeper = storage.connect(db_path)
        client = app.test_client()
        # Warm up: imports, template and regex caches, the first trips generated.
        measure(client, counter, sms_requests(20, 1_000_000))
        results = {}
        for name, requests in (
            ("sms", sms_requests(REQUESTS, 0)),
            ("voice", voice_requests(client, REQUESTS, 0)),
        ):
            profiler = cProfile.Profile() if args.profile else None
            results[name] = measure(client, counter, requests, profiler)
            if profiler:
                out = io.StringIO()
                pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(args.top)
                print(f"--- {name} ---\n{out.getvalue()}")
        keeper.conn.close()
    print(f"{'path':<8}{'requests':>10}{'ms/request':>12}{'SQL/request':>13}")
    for name, (ms, statements) in results.items():
        print(f"{name:<8}{REQUESTS:>10}{ms:>12.2f}{statements:>13.1f}")
    return results


if __name__ == "__main__":
    main()
