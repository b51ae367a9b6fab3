"""Drive wrk (Debian's package) with pre-signed requests and read back what it measured.

wrk keeps its connections alive, as Twilio's webhook clients do, and spends far less CPU per
request than any Python client, so the service, not the generator, is what gets measured.
`bench/wrk_replay.lua` feeds it the raw requests built by `bench.loadgen`, each sent once.
"""

import dataclasses
import json
import resource
import shutil
import subprocess
import tempfile
from pathlib import Path

SCRIPT = Path(__file__).with_name("wrk_replay.lua")
THREADS = 2
REQUEST_TIMEOUT_SECONDS = 10


class WrkError(RuntimeError):
    """wrk is missing, failed, or could not replay the run as asked."""


@dataclasses.dataclass
class WrkResult:
    """One wrk run: completed requests, its duration, errors, latencies and generator CPU."""

    requests: int
    seconds: float
    errors: int
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    generator_cpu: float
    wrapped: int
    server_cpu: float = 0.0  # CPU seconds the server used, when the caller measured it

    @property
    def rps(self):
        return self.requests / self.seconds if self.seconds else 0.0


def require_wrk():
    """Return the path of the wrk binary, or raise WrkError saying how to get it."""
    found = shutil.which("wrk")
    if not found:
        raise WrkError("wrk is not installed (Debian/Ubuntu: apt-get install wrk)")
    return found


def run(port, request_lists, *, connections=32, seconds=10, allow_repeats=False):
    """Replay REQUEST_LISTS (one list of raw requests per wrk thread) against PORT.

    Each thread sends its own list in order on its share of CONNECTIONS for SECONDS.
    A thread that runs out starts its list again; unless ALLOW_REPEATS (the baseline,
    which stores nothing), that is an error, since a repeated MessageSid is a retry.
    """
    wrk = require_wrk()
    with tempfile.TemporaryDirectory(prefix="hamlet-wrk-") as folder:
        for number, requests in enumerate(request_lists, start=1):
            if not requests:
                raise WrkError(f"wrk thread {number} has no requests to send")
            Path(folder, f"requests-{number}").write_bytes(b"\0".join(requests))
        command = [
            wrk,
            "--threads",
            str(len(request_lists)),
            "--connections",
            str(connections),
            "--duration",
            f"{seconds}s",
            "--timeout",
            f"{REQUEST_TIMEOUT_SECONDS}s",
            "--script",
            str(SCRIPT),
            f"http://127.0.0.1:{port}/",
            "--",
            folder,
        ]
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=seconds + 60, check=False
        )
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise WrkError(f"wrk exited {done.returncode}: {done.stderr.strip() or done.stdout}")
    figures = _result_line(done.stdout)
    if figures["wrapped"] and not allow_repeats:
        raise WrkError(
            f"wrk sent {figures['sent']} requests but only "
            f"{sum(len(r) for r in request_lists)} were built: build more for this round"
        )
    seconds_run = figures["duration_us"] / 1e6
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    errors = sum(
        figures[key]
        for key in ("connect_errors", "read_errors", "write_errors", "status_errors", "timeouts")
    )
    return WrkResult(
        requests=figures["requests"],
        seconds=seconds_run,
        errors=errors,
        p50_ms=figures["p50_us"] / 1000,
        p95_ms=figures["p95_us"] / 1000,
        p99_ms=figures["p99_us"] / 1000,
        max_ms=figures["max_us"] / 1000,
        generator_cpu=cpu / seconds_run if seconds_run else 0.0,
        wrapped=figures["wrapped"],
    )


def _result_line(stdout):
    """The JSON figures the Lua script's done() printed."""
    for line in stdout.splitlines():
        if line.startswith("WRK_RESULT "):
            return json.loads(line.removeprefix("WRK_RESULT "))
    raise WrkError(f"wrk printed no result line:\n{stdout}")


def split(requests, threads=THREADS):
    """Deal REQUESTS round-robin into one list per wrk thread."""
    return [requests[number::threads] for number in range(threads)]
