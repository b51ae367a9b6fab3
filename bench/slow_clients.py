"""Slow clients and a health prober: does the server keep answering while sockets hang?

`SlowClients` holds IDLE connections that send nothing and TRICKLE connections that send one
byte of a request header every INTERVAL seconds, reconnecting any the server closes, as an
attacker would. `probe_health` asks /healthz on a fresh connection every PERIOD seconds and
records each answer's status and time. Run as `python -m bench.slow_clients` to compare
gunicorn worker models under the same attack (see docs/benchmarks.md).
"""

import http.client
import os
import socket
import ssl
import sys
import threading
import time

TRICKLE_REQUEST = b"GET /healthz HTTP/1.1\r\nHost: slow.example\r\nX-Padding: " + b"a" * 4000


class SlowClients:
    """IDLE silent connections and TRICKLE byte-a-time ones to HOST:PORT, in one thread."""

    def __init__(self, host, port, *, idle=50, trickle=10, interval=5.0, tls=False):
        self.address = (host, port)
        self.idle, self.trickle, self.interval, self.tls = idle, trickle, interval, tls
        self.stopping = threading.Event()
        self.connects = 0
        self.server_closes = 0
        self.bytes_sent = 0
        self._thread = threading.Thread(target=self._run, name="slow-clients", daemon=True)

    def _connect(self, trickling):
        raw = socket.create_connection(self.address, timeout=5)
        self.connects += 1
        sock = raw
        if self.tls and trickling:
            # A real handshake first, so the byte-a-time request reaches nginx's HTTP parser.
            context = ssl.create_default_context()
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
            sock = context.wrap_socket(raw, server_hostname="slow.example")
        sock.setblocking(False)
        return {"sock": sock, "trickling": trickling, "sent": 0, "next": time.monotonic()}

    def _closed_by_server(self, conn):
        try:
            conn["sock"].recv(4096)
        except (BlockingIOError, ssl.SSLWantReadError, ssl.SSLWantWriteError):
            return False
        except OSError:
            return True
        # EOF, or any answer at all (a 408, a 400), ends this connection's usefulness.
        return True

    def _run(self):
        conns = []
        for index in range(self.idle + self.trickle):
            if self.stopping.is_set():
                break
            conns.append(self._try_connect(index >= self.idle))
        while not self.stopping.wait(0.25):
            now = time.monotonic()
            for index, conn in enumerate(conns):
                if conn is None or self._closed_by_server(conn):
                    if conn is not None:
                        self.server_closes += 1
                        _close(conn["sock"])
                    conns[index] = self._try_connect(index >= self.idle)
                    continue
                if conn["trickling"] and now >= conn["next"]:
                    self._send_byte(conn, now)
        for conn in conns:
            if conn is not None:
                _close(conn["sock"])

    def _try_connect(self, trickling):
        try:
            return self._connect(trickling)
        except OSError:
            return None

    def _send_byte(self, conn, now):
        position = conn["sent"] % len(TRICKLE_REQUEST)
        try:
            conn["sock"].send(TRICKLE_REQUEST[position : position + 1])
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


def probe_health(host, port, *, seconds, period=0.5, timeout=1.0, tls=False, path="/healthz"):
    """Ask PATH on a new connection every PERIOD s for SECONDS; return [(status, seconds)].

    A probe that fails or takes longer than TIMEOUT is recorded with status None.
    """
    results = []
    deadline = time.monotonic() + seconds
    context = None
    if tls:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    while time.monotonic() < deadline:
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


def summary(results):
    """Probes answered 200 within the timeout, out of all, and the slowest answer (s)."""
    good = sum(1 for status, _ in results if status == 200)
    slowest = max((elapsed for _, elapsed in results), default=0.0)
    return {"probes": len(results), "answered": good, "slowest_s": round(slowest, 3)}


def measure(worker_class, seconds, workdir):
    """Attack a Service run with WORKER_CLASS; return the probe summary."""
    from bench.harness import Service

    service = Service(workdir, extra_args=["--worker-class", worker_class] if worker_class else [])
    with service:
        with SlowClients("127.0.0.1", service.port) as attack:
            time.sleep(1)
            result = summary(probe_health("127.0.0.1", service.port, seconds=seconds))
        result["connects"] = attack.connects
        result["server_closes"] = attack.server_closes
    return result


def main():
    """Compare the configured worker with gunicorn's stock gthread, gevent and sync workers."""
    import tempfile

    seconds = float(os.environ.get("SLOW_SECONDS", "30"))
    rows = []
    with tempfile.TemporaryDirectory(prefix="slow-clients-") as workdir:
        for label, worker_class in (
            ("gunicorn.conf.py (threads)", None),
            ("gthread, stock", "gthread"),
            ("gevent", "gevent"),
            ("sync (before)", "sync"),
        ):
            result = measure(worker_class, seconds, f"{workdir}/{label.split()[0]}")
            rows.append((label, result))
            print(label, result, file=sys.stderr)
    print(f"\nSlow clients: 50 idle + 10 trickling (1 byte / 5 s), {seconds:.0f} s, 2 workers")
    print("| worker | probes answered in 1 s | slowest probe s | attacker (re)connects |")
    print("|---|---|---|---|")
    for label, result in rows:
        print(
            f"| {label} | {result['answered']} / {result['probes']} | {result['slowest_s']} |"
            f" {result['connects']} |"
        )
    return rows


if __name__ == "__main__":
    main()
