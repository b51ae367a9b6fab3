"""Webhook throughput, latency and worker memory: the service against a bare Flask baseline.

Both run under identical gunicorn settings at the same time; rounds alternate between them so
that any drift of the machine hits both sides. Run with `python -m bench.webhooks`.
"""

import os
import tempfile
import xml.etree.ElementTree as ET
from urllib.parse import urlsplit

from bench import loadgen
from bench.harness import Service

WORKERS = int(os.environ.get("WEB_CONCURRENCY", "2"))
CONCURRENCY = 32
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
REQUESTS_PER_ROUND = int(os.environ.get("BENCH_REQUESTS", "2000"))
MEMORY_AFTER = 10_000
TIME_LIMIT = 180.0
HAMLET_NAMES = ["Phu Hoa A", "Phu Hoa B", "Phu Thuan A", "Tan Phu", "Phu Dong", "Long Hoa 1"]
GOALS = {"sms": 0.5, "voice": 0.6}
P99_GOAL_MS = 50.0
RSS_GOAL_MB = 80.0


class Numbering:
    """Hands out unique phone numbers and provider ids across the whole run."""

    def __init__(self, run="b"):
        self.run = run
        self.next = 0

    def take(self):
        self.next += 1
        return self.next


def sms_jobs(base_url, numbers, count):
    """COUNT home-visit texts ("HEN <hamlet>"), each from a new number with a new MessageSid."""
    jobs = []
    for _ in range(count):
        n = numbers.take()
        body = f"HEN {HAMLET_NAMES[n % len(HAMLET_NAMES)]}"
        params = loadgen.sms_params(
            loadgen.message_sid(n, numbers.run), loadgen.mobile_number(n), body
        )
        jobs.append([loadgen.signed_form(base_url, "/sms/twilio", params)])
    return jobs


def menu_step_path(service):
    """Ask /voice/incoming once and return the path its first <Gather> posts the digits to."""
    params = loadgen.call_params(loadgen.call_sid(0, "f"), loadgen.mobile_number(9_999_999))
    [reply] = loadgen.send_all(
        service.port, [loadgen.signed_form(service.base_url, "/voice/incoming", params)]
    )
    if reply is None or reply.status != 200:
        raise RuntimeError(f"/voice/incoming answered {reply and reply.status}")
    gather = ET.fromstring(reply.body).find(".//Gather")
    if gather is None or not gather.get("action"):
        raise RuntimeError("/voice/incoming has no <Gather action=...>")
    action = urlsplit(gather.get("action"))
    return action.path + (f"?{action.query}" if action.query else "")


def voice_jobs(base_url, numbers, count, step_path):
    """COUNT calls: /voice/incoming, then the menu step pressing 1 (home visit)."""
    jobs = []
    for _ in range(count // 2):
        n = numbers.take()
        sid = loadgen.call_sid(n, numbers.run)
        phone = loadgen.mobile_number(n)
        start = loadgen.call_params(sid, phone)
        step = loadgen.call_params(sid, phone, Digits="1", FinishedOnKey="")
        jobs.append(
            [
                loadgen.signed_form(base_url, "/voice/incoming", start),
                loadgen.signed_form(base_url, step_path, step),
            ]
        )
    return jobs


def summarise(name, results, baseline=None):
    """Merge the rounds of one scenario into a row of figures."""
    replies = [reply for result in results for reply in result.replies]
    wall = sum(result.wall for result in results)
    cpu = sum(result.cpu for result in results)
    merged = loadgen.LoadResult(replies, wall, cpu)
    row = {
        "scenario": name,
        "requests": len(replies),
        "errors": len(replies) - len(merged.ok),
        "rps": round(merged.rps, 1),
        "p50_ms": round(merged.percentile(50), 1),
        "p95_ms": round(merged.percentile(95), 1),
        "p99_ms": round(merged.percentile(99), 1),
        "generator_cpu": round(merged.cpu_share, 2),
    }
    if baseline:
        row["ratio"] = round(row["rps"] / baseline["rps"], 2) if baseline["rps"] else 0.0
    return row


def run(rounds=ROUNDS, per_round=REQUESTS_PER_ROUND, workers=WORKERS):
    """Measure baseline, SMS and voice side by side; return a dict of rows and memory."""
    with tempfile.TemporaryDirectory(prefix="hamlet-bench-") as workdir:
        baseline = Service(
            os.path.join(workdir, "baseline"),
            app="bench.baseline_app:app",
            workers=workers,
            prepare=False,
        )
        service = Service(os.path.join(workdir, "service"), workers=workers)
        with baseline, service:
            # As deployed by `make run`: one outbox worker beside gunicorn. Its open connection
            # also means a request's close is not the last one, which would checkpoint the WAL.
            service.start_outbox_workers(1)
            numbers = Numbering()
            skipped = ""
            scenarios = {"baseline": [], "sms": []}
            try:
                step_path = menu_step_path(service)
                scenarios["voice"] = []
            except (RuntimeError, ET.ParseError) as exc:
                step_path = None
                skipped = f"voice scenario skipped: {exc}"
                print(skipped)
            # A short warm-up so imports and first connections are not measured.
            for server, jobs in (
                (baseline, sms_jobs(baseline.base_url, numbers, 200)),
                (service, sms_jobs(service.base_url, numbers, 200)),
            ):
                loadgen.load(server.port, jobs, concurrency=CONCURRENCY, time_limit=TIME_LIMIT)
            served = 200
            for _ in range(rounds):
                for name in scenarios:
                    if name == "baseline":
                        server, jobs = baseline, sms_jobs(baseline.base_url, numbers, per_round)
                    elif name == "sms":
                        server, jobs = service, sms_jobs(service.base_url, numbers, per_round)
                    else:
                        server = service
                        jobs = voice_jobs(service.base_url, numbers, per_round, step_path)
                    result = loadgen.load(
                        server.port, jobs, concurrency=CONCURRENCY, time_limit=TIME_LIMIT
                    )
                    scenarios[name].append(result)
                    if server is service:
                        served += len(result.replies)
            # Top up so every figure below is "after 10,000 requests" to the service.
            if served < MEMORY_AFTER:
                jobs = sms_jobs(service.base_url, numbers, MEMORY_AFTER - served)
                served += len(
                    loadgen.load(
                        service.port, jobs, concurrency=CONCURRENCY, time_limit=TIME_LIMIT
                    ).replies
                )
            memory = {
                "requests_served": served,
                "service_rss_mb": [round(mb, 1) for mb in service.worker_rss_mb()],
                "baseline_rss_mb": [round(mb, 1) for mb in baseline.worker_rss_mb()],
            }
        base_row = summarise("baseline", scenarios["baseline"])
        rows = [base_row] + [
            summarise(name, results, base_row)
            for name, results in scenarios.items()
            if name != "baseline"
        ]
    return {
        "rows": rows,
        "memory": memory,
        "workers": workers,
        "concurrency": CONCURRENCY,
        "skipped": skipped,
    }


def verdicts(figures):
    """Each goal with its measured figure and whether it was met."""
    lines = []
    for row in figures["rows"]:
        name = row["scenario"]
        lines.append((f"{name} answered without error", row["errors"], row["errors"] == 0))
        if name in GOALS:
            goal = GOALS[name]
            lines.append(
                (f"{name} throughput >= {goal}x baseline", row["ratio"], row["ratio"] >= goal)
            )
        if name != "baseline":
            lines.append(
                (f"{name} p99 < {P99_GOAL_MS:.0f} ms", row["p99_ms"], row["p99_ms"] < P99_GOAL_MS)
            )
    if figures.get("skipped"):
        lines.append((figures["skipped"], "-", False))
    worst = max(figures["memory"]["service_rss_mb"] or [0])
    lines.append((f"worker RSS < {RSS_GOAL_MB:.0f} MB", worst, worst < RSS_GOAL_MB))
    return lines


def print_table(figures):
    """Print the figures as a plain text table."""
    columns = ["scenario", "requests", "errors", "rps", "ratio", "p50_ms", "p95_ms", "p99_ms"]
    columns.append("generator_cpu")
    print(
        f"Webhooks: gunicorn {figures['workers']} sync workers, "
        f"{figures['concurrency']} concurrent clients, {os.cpu_count()} CPUs"
    )
    print("  ".join(f"{c:>13}" for c in columns))
    for row in figures["rows"]:
        print("  ".join(f"{row.get(c, ''):>13}" for c in columns))
    memory = figures["memory"]
    print(
        f"Worker RSS after {memory['requests_served']} requests: "
        f"service {memory['service_rss_mb']} MB, baseline {memory['baseline_rss_mb']} MB"
    )
    for goal, figure, met in verdicts(figures):
        print(f"  {'met   ' if met else 'MISSED'}  {goal}: {figure}")


def main():
    """Run the webhook benchmark, print its table and return its figures."""
    figures = run()
    print_table(figures)
    return figures


if __name__ == "__main__":
    main()
