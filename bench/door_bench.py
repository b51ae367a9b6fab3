"""End to end, from the SMS webhook to the transport's send call, and a burst's drain time.

gunicorn (the shipped settings) takes signed Twilio webhooks; two `flask worker` processes
answer them and send the replies through the real twilio client to a local fake of the
REST API (tests/fakes/twilio_api.py), which notes when each create arrived. The latency
of a message is from the moment its webhook was posted to the fake's create of its first
reply. Sustained: RATE messages a second for SECONDS, each from a new number, paced; the
backlog (stored but unanswered, answered but unsent) is sampled every second. Burst:
BURST messages (PHONES phones, ten each, as a gateway phone re-delivers its inbox) posted
as fast as 32 connections allow; every one must be answered once, each phone's replies in
arrival order. Run with `python -m bench.door_bench`.
"""

import asyncio
import collections
import datetime as dt
import os
import sqlite3
import tempfile
import threading
import time

from bench import loadgen
from bench.harness import ACCOUNT_SID, AUTH_TOKEN, Service
from bench.webhooks import sms_body

RATE = int(os.environ.get("BENCH_E2E_RATE", "300"))
SECONDS = int(os.environ.get("BENCH_E2E_SECONDS", "60"))
BURST = int(os.environ.get("BENCH_BURST", "2000"))
BURST_EACH = 10
ANSWERING_WORKERS = 2
CONNECTIONS = 64
P99_GOAL_S = 1.0
DRAIN_LIMIT_SECONDS = 600


def _read(db_path, sql):
    """The first row of SQL on the service's database, read-only."""
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=30)
    try:
        return conn.execute(sql).fetchone()
    finally:
        conn.close()


def backlog(db_path):
    """(messages waiting to be answered, replies waiting to be sent)."""
    waiting = _read(db_path, "SELECT count(*) FROM inbox_waiting")[0]
    unsent = _read(db_path, "SELECT count(*) FROM outbox WHERE status IN ('pending', 'leased')")[0]
    return waiting, unsent


class Sampler(threading.Thread):
    """Samples the backlog once a second until stopped: [(second, waiting, unsent)]."""

    def __init__(self, db_path):
        super().__init__(daemon=True)
        self.db_path = db_path
        self.curve = []
        self.done = threading.Event()

    def run(self):
        started = time.monotonic()
        while not self.done.wait(1.0):
            self.curve.append((round(time.monotonic() - started), *backlog(self.db_path)))


async def _paced(port, raws, rate):
    """Post RAWS at RATE a second (at most CONNECTIONS in flight); [(posted at, reply)]."""
    limit = asyncio.Semaphore(CONNECTIONS)
    results = [None] * len(raws)
    started = time.monotonic()

    async def one(index, raw):
        async with limit:
            posted = time.time()
            results[index] = (posted, await loadgen.fetch(port, raw, timeout=30))

    tasks = []
    for index, raw in enumerate(raws):
        delay = started + index / rate - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(index, raw)))
    await asyncio.gather(*tasks)
    return results


def _signed(service, n, run, phone, body):
    """The raw bytes of signed SMS webhook N of RUN from PHONE."""
    params = loadgen.sms_params(loadgen.message_sid(n, run), phone, body)
    return loadgen.signed_form(service.base_url, "/sms/twilio", params)


def _wait_sent(fake, phones, timeout):
    """Wait until the fake holds a reply to each of PHONES; return the seconds it took."""
    started = time.monotonic()
    wanted = set(phones)
    while time.monotonic() - started < timeout:
        with fake._lock:
            seen = {message["to"] for message in fake.messages}
        if wanted <= seen:
            return time.monotonic() - started
        time.sleep(0.05)
    raise RuntimeError(f"{len(wanted - seen)} messages were never answered")


def _percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def sustained(service, fake, rate=RATE, seconds=SECONDS):
    """RATE messages a second for SECONDS; latency to the send call, and the backlog."""
    count = rate * seconds
    phones = [loadgen.mobile_number(1_000_000 + n) for n in range(count)]
    raws = [_signed(service, n, "e1", phones[n], sms_body(n)) for n in range(count)]
    sampler = Sampler(service.db_path)
    sampler.start()
    started = time.monotonic()
    posted = asyncio.run(_paced(service.port, raws, rate))
    sending = time.monotonic() - started
    drain = _wait_sent(fake, phones, DRAIN_LIMIT_SECONDS)
    sampler.done.set()
    sampler.join()
    bad = [reply.status for _, reply in posted if reply is None or reply.status != 200]
    first_reply = {}
    with fake._lock:
        for message in fake.messages:
            first_reply.setdefault(message["to"], message["created"])
    latencies = [
        (first_reply[phone] - dt.datetime.fromtimestamp(at, dt.UTC)).total_seconds()
        for phone, (at, _reply) in zip(phones, posted, strict=True)
    ]
    return {
        "messages": count,
        "offered_rate": rate,
        "achieved_rate": round(count / sending, 1),
        "refused": len(bad),
        "p50_s": round(_percentile(latencies, 0.50), 3),
        "p99_s": round(_percentile(latencies, 0.99), 3),
        "max_s": round(max(latencies), 3),
        "drain_after_s": round(drain, 1),
        "backlog": sampler.curve,
    }


def burst(service, fake, count=BURST):
    """COUNT messages from COUNT/10 phones at once; the drain time, exactly once and in order."""
    phones = [loadgen.mobile_number(2_000_000 + n) for n in range(count // BURST_EACH)]
    raws = [
        _signed(service, turn * len(phones) + n, "e2", phone, f"HOI cau hoi so {turn}")
        for turn in range(BURST_EACH)
        for n, phone in enumerate(phones)
    ]
    before = len(fake.messages)
    started = time.monotonic()
    replies = loadgen.send_all(service.port, raws, concurrency=32, time_limit=300)
    stored_s = time.monotonic() - started
    deadline = started + DRAIN_LIMIT_SECONDS
    while sum(1 for m in fake.messages[before:] if m["to"] in set(phones)) < len(raws):
        if time.monotonic() > deadline:
            raise RuntimeError("the burst was not answered in time")
        time.sleep(0.05)
    drained_s = time.monotonic() - started
    time.sleep(1)  # anything sent twice would arrive now
    sent = [m for m in fake.messages[before:] if m["to"] in set(phones)]
    per_phone = collections.defaultdict(list)
    conn = sqlite3.connect(f"file:{service.db_path}?mode=ro", uri=True, timeout=30)
    try:
        for phone, reply_to in conn.execute("SELECT phone, reply_to_id FROM outbox ORDER BY id"):
            per_phone[phone].append(reply_to)
    finally:
        conn.close()
    # Outbox ids are the order of the answers; message ids the order of arrival.
    in_order = all(order == sorted(order) for phone, order in per_phone.items() if phone in phones)
    return {
        "messages": count,
        "refused": sum(1 for r in replies if r is None or r.status != 200),
        "stored_s": round(stored_s, 1),
        "drained_s": round(drained_s, 1),
        "replies": len(sent),
        "answered_once": len(sent) == len(raws),
        "order_checked": in_order,
    }


def run():
    """Start the fake, the service and the workers; measure the burst, then sustained load."""
    from tests.fakes.twilio_api import FakeTwilioAPI

    with (
        tempfile.TemporaryDirectory(prefix="hamlet-door-") as workdir,
        FakeTwilioAPI(ACCOUNT_SID, AUTH_TOKEN, send_delay=0.0) as fake,
    ):
        service = Service(
            os.path.join(workdir, "service"),
            workers=2,
            SMS_TRANSPORT="twilio",
            TWILIO_API_BASE_URL=fake.base_url,
        )
        with service:
            service.start_outbox_workers(ANSWERING_WORKERS)
            figures = {"burst": burst(service, fake), "sustained": sustained(service, fake)}
        figures["workers"] = ANSWERING_WORKERS
    return figures


def verdicts(figures):
    """Each goal with its measured figure and whether it was met."""
    s, b = figures["sustained"], figures["burst"]
    return [
        (f"sustained {s['offered_rate']}/s refused", s["refused"], s["refused"] == 0),
        (
            f"achieved rate >= {s['offered_rate']}/s",
            s["achieved_rate"],
            s["achieved_rate"] >= s["offered_rate"] * 0.98,
        ),
        (f"webhook to send p99 < {P99_GOAL_S:.0f} s", s["p99_s"], s["p99_s"] < P99_GOAL_S),
        ("webhook to send p50 (s)", s["p50_s"], True),
        ("webhook to send max (s)", s["max_s"], True),
        (f"burst of {b['messages']} answered once", b["replies"], b["answered_once"]),
        ("burst drain time (s)", b["drained_s"], True),
    ]


def main():
    """Run the end-to-end benchmark, print its table and return its figures."""
    figures = run()
    s, b = figures["sustained"], figures["burst"]
    print(
        f"End to end: webhook -> worker -> twilio client -> local fake API; "
        f"{figures['workers']} answering workers, gunicorn 2 workers; {os.cpu_count()} CPUs"
    )
    print(
        f"Sustained {s['offered_rate']}/s for {s['messages']} messages (achieved "
        f"{s['achieved_rate']}/s, {s['refused']} refused): webhook to send p50 {s['p50_s']} s, "
        f"p99 {s['p99_s']} s, max {s['max_s']} s; backlog gone {s['drain_after_s']} s after "
        "the last post"
    )
    print("Backlog (second: waiting to be answered / waiting to be sent):")
    print("  " + " ".join(f"{t}:{w}/{u}" for t, w, u in s["backlog"]))
    print(
        f"Burst of {b['messages']} ({b['messages'] // BURST_EACH} phones x {BURST_EACH}): "
        f"stored in {b['stored_s']} s, all sent {b['drained_s']} s after the first post; "
        f"{b['replies']} replies, once each: {b['answered_once']}, per-phone order: "
        f"{b['order_checked']}"
    )
    for goal, figure, met in verdicts(figures):
        print(f"  {'met   ' if met else 'MISSED'}  {goal}: {figure}")
    return {"sustained": {k: v for k, v in s.items() if k != "backlog"}, "burst": b}


if __name__ == "__main__":
    main()
