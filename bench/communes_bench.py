"""A province on one server: 100 communes beside one, each of the same size.

Builds two databases: one commune, and COMMUNES communes, each with 10 hamlets, its trip
schedule, RESIDENTS residents, REQUESTS requests and one inbound SMS per request (bulk
inserts). Then, in process, through the Flask test client and the real signed webhooks,
times an SMS (HEN to a hamlet, from a new number), a voice step (a key in the main menu of
a new call), the queue page and the trip sheet, for the last commune of the big database
and for the one commune of the small one, in alternating rounds. Prints the table and the
files' sizes.

    python -m bench.communes_bench
    COMMUNES_BENCH_COMMUNES=20 COMMUNES_BENCH_ROUNDS=100 python -m bench.communes_bench
    COMMUNES_BENCH_DIR=/tmp/communes python -m bench.communes_bench  # build once, reuse after
"""

import datetime as dt
import os
import random
import statistics
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import urlsplit

COMMUNES = int(os.environ.get("COMMUNES_BENCH_COMMUNES", "100"))
HAMLETS = 10
REQUESTS = int(os.environ.get("COMMUNES_BENCH_REQUESTS", "5000"))
RESIDENTS = int(os.environ.get("COMMUNES_BENCH_RESIDENTS", "1000"))
ROUNDS = int(os.environ.get("COMMUNES_BENCH_ROUNDS", "60"))
# A folder to keep the built databases in and reuse on the next run (the build takes minutes).
KEEP = os.environ.get("COMMUNES_BENCH_DIR")
AUTH_TOKEN = "bench-auth-token"
BASE_URL = "http://127.0.0.1:8000"
PASSWORD = "bench-password-1"
CLOSED = ["visited"] * 8 + ["cancelled", "answered"]
PAGE_GOAL_MS = 150


def iso(moment):
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def number_of(index):
    """The Twilio number of commune INDEX (1 is the first commune's default)."""
    return "+84000000000" if index == 1 else f"+8420{index:08d}"


def _fill_commune(db, commune, rng, now):
    """Bulk-insert one commune's hamlets, schedule, residents, requests and messages."""
    from app import communes, trips
    from app.catalogue import hamlets as places
    from app.seed.loader import HAMLETS as NAMES

    cid = commune.id
    conn = db.conn
    if cid != 1:
        # Every commune has the first one's hamlet names, so an SMS costs the same to read.
        conn.executemany(
            "INSERT INTO hamlets (commune_id, code, name, route_order, active, source)"
            " VALUES (:commune_id, :code, :name, :route_order, 1, 'bench')",
            [
                {"commune_id": cid, "code": places.code_for(name), "name": name, "route_order": n}
                for n, (name, _o, _s) in enumerate(NAMES, 1)
            ],
        )
        hamlets = [
            r[0]
            for r in conn.execute("SELECT id FROM hamlets WHERE commune_id = :cid", {"cid": cid})
        ]
        for weekday, served in ((1, hamlets[:5]), (3, hamlets[5:])):
            rule = conn.execute(
                "INSERT INTO schedule_rules (commune_id, weekday, session, start_time, end_time,"
                " capacity, active) VALUES (:cid, :weekday, 'morning', '07:30', '11:30', 8, 1)",
                {"cid": cid, "weekday": weekday},
            ).lastrowid
            conn.executemany(
                "INSERT INTO rule_hamlets (rule_id, hamlet_id) VALUES (:rule_id, :hamlet_id)",
                [{"rule_id": rule, "hamlet_id": h} for h in served],
            )
        conn.executemany(
            "INSERT INTO settings (commune_id, key, value) VALUES (:cid, :key, :value)",
            [
                {"cid": cid, "key": "office_phone", "value": ""},
                {"cid": cid, "key": "trip_weeks_ahead", "value": "8"},
            ],
        )
    hamlets = [
        r[0] for r in conn.execute("SELECT id FROM hamlets WHERE commune_id = :cid", {"cid": cid})
    ]
    with communes.bound(commune):
        trips.ensure_trips(db)
    conn.executemany(
        "INSERT INTO residents (commune_id, phone, phone_raw, name, hamlet_id, language,"
        " created_at, updated_at)"
        " VALUES (:cid, :phone, :phone_raw, :name, :hamlet_id, 'vi', :now, :now)",
        [
            {
                "cid": cid,
                "phone": f"+8491{n:07d}",
                "phone_raw": f"091{n:07d}",
                "name": f"Người {n}",
                "hamlet_id": rng.choice(hamlets),
                "now": now,
            }
            for n in range(RESIDENTS)
        ],
    )
    residents = conn.execute(
        "SELECT id, hamlet_id, phone FROM residents WHERE commune_id = :cid", {"cid": cid}
    ).fetchall()
    first_request = conn.execute("SELECT coalesce(max(id), 0) + 1 FROM requests").fetchone()[0]
    request_rows, message_rows = [], []
    for n in range(REQUESTS):
        resident_id, hamlet_id, phone = rng.choice(residents)
        is_open = n % 50 == 0
        at = iso(dt.datetime.now(dt.UTC) - dt.timedelta(seconds=rng.randint(0, 365 * 86400)))
        request_rows.append(
            {
                "cid": cid,
                "ref": str(10000 + n),
                "kind": "visit",
                "service_code": "VISIT",
                "resident_id": resident_id,
                "hamlet_id": hamlet_id,
                "channel": "sms",
                "status": "new" if is_open else rng.choice(CLOSED),
                "description": "Nhờ cán bộ giúp làm giấy tờ",
                "source_key": f"bench:{cid}:{n}",
                "at": at,
            }
        )
        message_rows.append(
            {
                "cid": cid,
                "provider_id": f"SMB{cid:04d}{n:06d}",
                "dedupe_key": f"twilio:SMB{cid:04d}{n:06d}",
                "phone": phone,
                "resident_id": resident_id,
                "request_id": first_request + n,
                "at": at,
            }
        )
    conn.executemany(
        "INSERT INTO requests (commune_id, ref, kind, service_code, resident_id, hamlet_id,"
        " channel, status, description, source_key, requested_at, updated_at)"
        " VALUES (:cid, :ref, :kind, :service_code, :resident_id, :hamlet_id, :channel, :status,"
        " :description, :source_key, :at, :at)",
        request_rows,
    )
    conn.executemany(
        "INSERT INTO messages (commune_id, direction, provider, provider_id, dedupe_key, phone,"
        " resident_id, body, intent, status, request_id, created_at, updated_at)"
        " VALUES (:cid, 'in', 'twilio', :provider_id, :dedupe_key, :phone, :resident_id, 'HEN',"
        " 'visit', 'replied', :request_id, :at, :at)",
        message_rows,
    )
    # The coming trip is booked full, as the trip sheet shows it on a busy day.
    trip = conn.execute(
        "SELECT id, starts_at FROM trips WHERE commune_id = :cid ORDER BY starts_at LIMIT 1",
        {"cid": cid},
    ).fetchone()
    served = [
        r[0]
        for r in conn.execute(
            "SELECT hamlet_id FROM trip_hamlets WHERE trip_id = :trip_id", {"trip_id": trip[0]}
        )
    ]
    booked = [r for r in residents if r[1] in served][:8]
    conn.executemany(
        "UPDATE requests SET status = 'scheduled', trip_id = :trip_id, expected_datetime = :at"
        " WHERE id = (SELECT id FROM requests WHERE resident_id = :resident_id"
        " ORDER BY id LIMIT 1)",
        [{"trip_id": trip[0], "at": trip[1], "resident_id": r[0]} for r in booked],
    )
    return trip[0]


def build(path, count, rng):
    """Migrate and fill a database of COUNT communes; return {commune index: trip id}.

    A database kept from an earlier run (COMMUNES_BENCH_DIR) is reused as it is.
    """
    from app import channels, communes
    from app.seed.loader import seed
    from db import connect, migrate, transaction

    if path.exists():
        migrate(path)
        db = connect(path)
        last = db.execute("SELECT max(id) FROM communes").fetchone()[0]
        trip = db.execute(
            "SELECT trip_id FROM requests WHERE commune_id = :cid AND trip_id IS NOT NULL LIMIT 1",
            {"cid": last},
        ).fetchone()[0]
        db.conn.close()
        return {count: trip}

    migrate(path)
    db = connect(path)
    seed(db)
    now = iso(dt.datetime.now(dt.UTC))
    trips = {}
    with transaction(db):
        for index in range(1, count + 1):
            if index == 1:
                commune = communes.first_commune(db)
            else:
                commune = communes.create(db, f"C{index:03d}", f"Xã Bench {index}")
                channels.add_twilio(db, commune, number_of(index), checked=False)
            trips[index] = _fill_commune(db, commune, rng, now)
    db.execute("ANALYZE")
    db.conn.close()
    return trips


def make_app(path):
    from app import create_app

    return create_app(
        {
            "DATABASE_PATH": str(path),
            "SECRET_KEY": "bench",
            "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
            "PUBLIC_BASE_URL": BASE_URL,
            "WTF_CSRF_ENABLED": False,
            "SIMULATOR": False,
        }
    )


def signed_post(client, path, params):
    from twilio.request_validator import RequestValidator

    signature = RequestValidator(AUTH_TOKEN).compute_signature(BASE_URL + path, params)
    response = client.post(path, data=params, headers={"X-Twilio-Signature": signature})
    assert response.status_code == 200, (path, response.status_code, response.data[:200])
    return response


def staff_client(app, path, index):
    """A client signed in as an officer of commune INDEX."""
    from app import communes
    from app.accounts import users
    from db import connect

    db = connect(path)
    commune = communes.by_code(db, "PHULAM" if index == 1 else f"C{index:03d}")
    name = f"officer{index}"
    with db.conn:
        if not users.by_username(db, name):
            users.create_user(db, name, PASSWORD, role="staff")
        user_id = db.execute(
            "SELECT id FROM staff_users WHERE username = :name", {"name": name}
        ).fetchone()[0]
        db.execute(
            "INSERT OR REPLACE INTO memberships (user_id, commune_id, role)"
            " VALUES (:user_id, :commune_id, 'staff')",
            {"user_id": user_id, "commune_id": commune.id},
        )
    db.conn.close()
    client = app.test_client()
    assert client.post("/login", data={"username": name, "password": PASSWORD}).status_code == 302
    return client


class Target:
    """One commune of one database: its app, its number, its officer and its trip."""

    def __init__(self, label, path, index, trip_id):
        self.label, self.path, self.index, self.trip_id = label, path, index, trip_id
        self.app = make_app(path)
        self.client = self.app.test_client()
        self.officer = staff_client(self.app, path, index)
        self.number = number_of(index)
        # New numbers and ids on every run, so a kept database never replays an old message.
        self.n = random.SystemRandom().randrange(0, 9_000_000, 1000)
        self.samples = {"sms": [], "voice step": [], "queue page": [], "trip sheet": []}
        self.menu = None

    def sms(self):
        self.n += 1
        sid = f"SM{self.index:04d}{self.n:028x}"
        params = {"MessageSid": sid, "From": f"+8498{self.n:07d}", "To": self.number}
        params["Body"] = "HEN Tan Phu"
        return self._time("sms", lambda: signed_post(self.client, "/sms/twilio", params))

    def voice_step(self):
        self.n += 1
        call = {
            "CallSid": f"CA{self.index:04d}{self.n:028x}",
            "From": f"+8497{self.n:07d}",
            "To": self.number,
            "Called": self.number,
            "Direction": "inbound",
        }
        first = signed_post(self.client, "/voice/incoming", call)
        if self.menu is None:
            action = urlsplit(ET.fromstring(first.data).find(".//Gather").get("action"))
            self.menu = action.path + (f"?{action.query}" if action.query else "")
        step = {**call, "Digits": "2"}
        return self._time("voice step", lambda: signed_post(self.client, self.menu, step))

    def page(self, label, url):
        def get():
            response = self.officer.get(url)
            assert response.status_code == 200, (url, response.status_code)

        return self._time(label, get)

    def _time(self, label, action):
        started = time.perf_counter()
        action()
        self.samples[label].append((time.perf_counter() - started) * 1000)


def main():
    """Build both databases, time both, print the table and return the figures."""
    root = Path(__file__).resolve().parent.parent
    if str(root) not in sys.path:
        sys.path.insert(0, str(root))
    import time_machine

    from tests.conftest import DAY_HOUR

    with (
        tempfile.TemporaryDirectory() as scratch,
        time_machine.travel(DAY_HOUR, tick=True),
    ):
        folder = Path(KEEP or scratch)
        folder.mkdir(parents=True, exist_ok=True)
        one_path, many_path = folder / "one.db", folder / f"province-{COMMUNES}.db"
        started = time.perf_counter()
        one_trips = build(one_path, 1, random.Random(1))
        one_seconds = time.perf_counter() - started
        started = time.perf_counter()
        many_trips = build(many_path, COMMUNES, random.Random(1))
        many_seconds = time.perf_counter() - started
        one = Target("1 commune", one_path, 1, one_trips[1])
        many = Target(f"{COMMUNES} communes", many_path, COMMUNES, many_trips[COMMUNES])
        for target in (one, many):  # warm-up: caches, statements, the classifier
            target.sms()
            target.voice_step()
            target.page("queue page", "/")
            target.page("trip sheet", f"/trips/{target.trip_id}")
            for samples in target.samples.values():
                samples.clear()
        for _ in range(ROUNDS):
            for target in (one, many):
                target.sms()
                target.voice_step()
                target.page("queue page", "/")
                target.page("trip sheet", f"/trips/{target.trip_id}")
        sizes = {
            target.label: sum(p.stat().st_size for p in folder.glob(target.path.name + "*"))
            for target in (one, many)
        }
    print(
        f"Communes: {COMMUNES} communes x {HAMLETS} hamlets x {REQUESTS:,} requests (and as many "
        f"SMS, {RESIDENTS:,} residents each) beside 1 commune of the same size; "
        f"{ROUNDS} alternating rounds; built in {many_seconds:.0f} s and {one_seconds:.0f} s"
        + (" (kept from an earlier run)" if many_seconds < 5 else "")
    )
    print(f"  {'median ms':<16} {'1 commune':>10} {f'{COMMUNES} communes':>13} {'ratio':>7}")
    figures = {}
    for label in one.samples:
        a = statistics.median(one.samples[label])
        b = statistics.median(many.samples[label])
        figures[label] = (round(a, 2), round(b, 2), round(b / a, 3))
        print(f"  {label:<16} {a:>10.2f} {b:>13.2f} {b / a:>7.3f}")
    for label, size in sizes.items():
        print(f"  database size, {label}: {size / 1e6:.1f} MB")
    return {
        "communes": COMMUNES,
        "figures": {
            label: {"one_ms": a, "many_ms": b, "ratio": r} for label, (a, b, r) in figures.items()
        },
        "size_mb": {label: round(size / 1e6, 1) for label, size in sizes.items()},
    }


def verdicts(figures):
    """Yield (goal, figure, met) for the goals of a province on one server."""
    rows = figures["figures"]
    for label in ("sms", "voice step"):
        ratio = rows[label]["ratio"]
        yield (f"{label} within 10% of one commune", f"x{ratio:.3f}", ratio <= 1.10)
    for label in ("queue page", "trip sheet"):
        ms = rows[label]["many_ms"]
        yield (f"{label} < {PAGE_GOAL_MS} ms", f"{ms:.1f} ms", ms < PAGE_GOAL_MS)


if __name__ == "__main__":
    main()
