"""Slow clients and probes: does the server keep answering while sockets hang?

`SlowClients` holds IDLE connections that send nothing, TRICKLE ones that send one byte of a
request header every INTERVAL seconds, SLOW_BODY ones that send a whole head announcing a
2,000-byte form and then one body byte every INTERVAL seconds, and KEEPALIVE ones that make
one request, read the answer and then sit idle on the kept-alive connection. Each reconnects
whenever the server closes it, as an attacker would. `probe_health` asks a path on a fresh
connection every PERIOD seconds and records each answer's status and time; `probe_sms` does
the same with a signed Twilio SMS. Run as `python -m bench.slow_clients` to compare gunicorn
worker models under the same attack (see docs/benchmarks.md).
"""

import http.client
import os
import socket
import ssl
import sys
import threading
import time

TRICKLE_REQUEST = b"GET /healthz HTTP/1.1\r\nHost: slow.example\r\nX-Padding: " + b"a" * 4000
SLOW_BODY_HEAD = (
    b"POST /sms/twilio HTTP/1.1\r\nHost: slow.example\r\n"
    b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 2000\r\n\r\n"
)
KEEPALIVE_REQUEST = b"GET /healthz HTTP/1.1\r\nHost: slow.example\r\n\r\n"
IDLE, TRICKLE, SLOW_BODY, KEEPALIVE = "idle", "trickle", "slow_body", "keepalive"


class SlowClients:
    """Silent, trickling, slow-body and idle kept-alive connections to HOST:PORT, in one thread."""

    def __init__(
        self, host, port, *, idle=50, trickle=10, slow_body=0, keepalive=0, interval=5.0, tls=False
    ):
        self.address = (host, port)
        self.kinds = [IDLE] * idle + [TRICKLE] * trickle
        self.kinds += [SLOW_BODY] * slow_body + [KEEPALIVE] * keepalive
        self.interval, self.tls = interval, tls
        self.stopping = threading.Event()
        self.connects = 0
        self.server_closes = 0
        self.bytes_sent = 0
        self._thread = threading.Thread(target=self._run, name="slow-clients", daemon=True)

    def _connect(self, kind):
        raw = socket.create_connection(self.address, timeout=5)
        self.connects += 1
        sock = raw
        if self.tls and kind != IDLE:
            # A real handshake first, so the byte-a-time request reaches nginx's HTTP parser.
            context = ssl.create_default_context()
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
            sock = context.wrap_socket(raw, server_hostname="slow.example")
        if kind == SLOW_BODY:
            sock.sendall(SLOW_BODY_HEAD)
        elif kind == KEEPALIVE:
            sock.sendall(KEEPALIVE_REQUEST)
        sock.setblocking(False)
        conn = {"sock": sock, "kind": kind, "sent": 0, "next": time.monotonic()}
        conn["answered"] = False
        return conn

    def _closed_by_server(self, conn):
        try:
            data = conn["sock"].recv(65536)
        except (BlockingIOError, ssl.SSLWantReadError, ssl.SSLWantWriteError):
            return False
        except OSError:
            return True
        if data and conn["kind"] == KEEPALIVE and not conn["answered"]:
            # The one answer it asked for; from now on it idles on the kept-alive socket.
            conn["answered"] = True
            return False
        # EOF, or any answer at all (a 408, a 400), ends this connection's usefulness.
        return True

    def _run(self):
        conns = []
        for kind in self.kinds:
            if self.stopping.is_set():
                break
            conns.append(self._try_connect(kind))
        while not self.stopping.wait(0.25):
            now = time.monotonic()
            for index, conn in enumerate(conns):
                if conn is None or self._closed_by_server(conn):
                    if conn is not None:
                        self.server_closes += 1
                        _close(conn["sock"])
                    conns[index] = self._try_connect(self.kinds[index])
                    continue
                if conn["kind"] in (TRICKLE, SLOW_BODY) and now >= conn["next"]:
                    self._send_byte(conn, now)
        for conn in conns:
            if conn is not None:
                _close(conn["sock"])

    def _try_connect(self, kind):
        try:
            return self._connect(kind)
        except OSError:
            return None

    def _send_byte(self, conn, now):
        if conn["kind"] == SLOW_BODY:
            byte = b"a"
        else:
            position = conn["sent"] % len(TRICKLE_REQUEST)
            byte = TRICKLE_REQUEST[position : position + 1]
        try:
            conn["sock"].send(byte)
        except (BlockingIOError, ssl.SSLWantWriteError, ssl.SSLWantReadError):
            return
        except OSError:
            return
        conn["sent"] += 1
        self.bytes_sent += 1
        conn["next"] = now + self.interval

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self.stopping.set()
        self._thread.join(timeout=30)


def _close(sock):
    try:
        sock.close()
    except OSError:
        pass


def probe_health(
    host, port, *, seconds, period=0.5, timeout=1.0, tls=False, path="/healthz", count=None
):
    """Ask PATH on a new connection every PERIOD s for SECONDS (or COUNT times); return
    [(status, seconds)].

    A probe that fails or takes longer than TIMEOUT is recorded with status None.
    """
    results = []
    deadline = time.monotonic() + seconds
    context = None
    if tls:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    while time.monotonic() < deadline if count is None else len(results) < count:
        started = time.monotonic()
        if tls:
            connection = http.client.HTTPSConnection(host, port, timeout=timeout, context=context)
        else:
            connection = http.client.HTTPConnection(host, port, timeout=timeout)
        try:
            connection.request("GET", path)
            reply = connection.getresponse()
            reply.read()
            status = reply.status
        except (OSError, http.client.HTTPException):
            status = None
        finally:
            connection.close()
        elapsed = time.monotonic() - started
        results.append((status if elapsed <= timeout else None, elapsed))
        time.sleep(max(0.0, period - elapsed))
    return results


def probe_sms(host, port, *, count, period=0.5, timeout=1.0, token=None, run="slow"):
    """Send COUNT signed SMS on new connections, one every PERIOD s; return [(status, s)]."""
    from bench import loadgen

    base_url = f"http://{host}:{port}"
    results = []
    for n in range(count):
        started = time.monotonic()
        params = loadgen.sms_params(
            loadgen.message_sid(n, run), loadgen.mobile_number(900_000 + n), "LICH"
        )
        raw = loadgen.signed_form(base_url, "/sms/twilio", params, token=token or AUTH)
        status = None
        try:
            with socket.create_connection((host, port), timeout=timeout) as sock:
                sock.settimeout(max(0.01, timeout - (time.monotonic() - started)))
                sock.sendall(raw)
                head = sock.recv(64)
                if head.startswith(b"HTTP/1.1 "):
                    status = int(head[9:12])
        except (OSError, ValueError):
            status = None
        elapsed = time.monotonic() - started
        results.append((status if elapsed <= timeout else None, elapsed))
        time.sleep(max(0.0, period - elapsed))
    return results


def summary(results):
    """Probes answered 200 within the timeout, out of all, and the slowest answer (s)."""
    good = sum(1 for status, _ in results if status == 200)
    slowest = max((elapsed for _, elapsed in results), default=0.0)
    return {"probes": len(results), "answered": good, "slowest_s": round(slowest, 3)}


AUTH = "bench-auth-token-0123456789abcdef"  # bench.harness.AUTH_TOKEN
# The attack of issue 27: slow headers, slow bodies and idle kept-alive sockets at once.
ATTACK = {"idle": 0, "trickle": 500, "slow_body": 200, "keepalive": 300}
WORKERS = (
    ("gunicorn.conf.py: requests read in the event loop (app/infra/web/serving.py)", None),
    ("before: first-byte hand-off, then a thread", "bench.baseline_workers.FirstByteWorker"),
    ("gthread, stock", "gthread"),
    ("gevent", "gevent"),
)


def raise_file_limit():
    """Let this process hold the attack's thousand sockets (the soft limit may be 1024)."""
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def throughput(port, count=600, concurrency=16):
    """Signed SMS sent as fast as COUNT go through at CONCURRENCY: (per second, p50 ms)."""
    from bench import loadgen

    base_url = f"http://127.0.0.1:{port}"
    requests = [
        loadgen.signed_form(
            base_url,
            "/sms/twilio",
            loadgen.sms_params(
                loadgen.message_sid(n, "tp"), loadgen.mobile_number(500_000 + n), "LICH"
            ),
        )
        for n in range(count)
    ]
    started = time.monotonic()
    replies = loadgen.send_all(port, requests, concurrency=concurrency)
    seconds = time.monotonic() - started
    ok = [reply for reply in replies if reply and reply.status == 200]
    latencies = sorted(reply.latency for reply in ok)
    p50 = latencies[len(latencies) // 2] * 1000 if latencies else float("nan")
    return {"sms_per_s": round(len(ok) / seconds, 1), "p50_ms": round(p50, 1), "ok": len(ok)}


def measure(worker_class, probes, workdir, attack=None):
    """Attack a Service run with WORKER_CLASS; probe /healthz and a signed SMS PROBES times."""
    from bench.harness import Service

    service = Service(workdir, extra_args=["--worker-class", worker_class] if worker_class else [])
    with service:
        result = {"throughput": throughput(service.port)}
        with SlowClients("127.0.0.1", service.port, **(attack or ATTACK), interval=5.0) as slow:
            time.sleep(3)
            health = probe_health("127.0.0.1", service.port, seconds=0, count=probes, period=0.25)
            sms = probe_sms("127.0.0.1", service.port, count=probes, period=0.25)
        result.update(health=summary(health), sms=summary(sms))
        result["connects"] = slow.connects
    return result


def compare_throughput(rounds=6, count=600):
    """Webhook throughput of the shipped worker and the one before, side by side.

    Both services run at once and take turns, in alternating order, so the load of a shared
    machine falls on both alike; returns {label: [SMS/s of each round]}.
    """
    import tempfile

    from bench.harness import Service

    figures = {label: [] for label, _ in WORKERS[:2]}
    with tempfile.TemporaryDirectory(prefix="slow-clients-tp-") as workdir:
        services = {
            label: Service(
                f"{workdir}/{number}",
                extra_args=["--worker-class", worker_class] if worker_class else [],
            )
            for number, (label, worker_class) in enumerate(WORKERS[:2])
        }
        with services[WORKERS[0][0]], services[WORKERS[1][0]]:
            for service in services.values():
                throughput(service.port, count=count // 2)  # warm up
            for number in range(rounds):
                labels = list(services) if number % 2 else list(services)[::-1]
                for label in labels:
                    figures[label].append(throughput(services[label].port, count)["sms_per_s"])
    return figures


def main():
    """Compare the shipped worker with the one before, stock gthread and gevent."""
    if sys.argv[1:] == ["throughput"]:
        import statistics

        for label, values in compare_throughput().items():
            print(f"| {label} | {round(statistics.median(values), 1)} | {sorted(values)} |")
        return None
    import tempfile

    limit = raise_file_limit()
    probes = int(os.environ.get("SLOW_PROBES", "100"))
    rows = []
    with tempfile.TemporaryDirectory(prefix="slow-clients-") as workdir:
        for number, (label, worker_class) in enumerate(WORKERS):
            result = measure(worker_class, probes, f"{workdir}/{number}")
            rows.append((label, result))
            print(label, result, file=sys.stderr)
    attack = ", ".join(f"{count} {kind}" for kind, count in ATTACK.items() if count)
    print(f"\nSlow clients: {attack} (a byte every 5 s), 2 workers, file limit {limit}")
    print(
        "| worker | /healthz in 1 s | slowest | signed SMS in 1 s | slowest |"
        " SMS/s, no attack | p50 ms | attacker (re)connects |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for label, r in rows:
        h, s, t = r["health"], r["sms"], r["throughput"]
        print(
            f"| {label} | {h['answered']} / {h['probes']} | {h['slowest_s']} s |"
            f" {s['answered']} / {s['probes']} | {s['slowest_s']} s |"
            f" {t['sms_per_s']} | {t['p50_ms']} | {r['connects']} |"
        )
    return rows


if __name__ == "__main__":
    main()
