"""Twilio-signed webhook requests, built and signed before any clock starts, and a client.

The benchmarks send them with wrk (`bench.wrk`). The reliability tests send them with the
small asyncio client below (`send_all`, `fetch`), because they check every reply's TwiML
against the message it answers, and wrk does not hand a script the reply to each request
(its `response()` callback cannot tell which request a reply belongs to). One request per
connection keeps that client simple; it is for correctness, not for measuring speed.
"""

import asyncio
import dataclasses
import time
from urllib.parse import urlencode, urlsplit

from twilio.request_validator import RequestValidator

from bench.harness import ACCOUNT_SID, AUTH_TOKEN, TWILIO_NUMBER

IO_TIMEOUT = 30.0


@dataclasses.dataclass
class Reply:
    """One HTTP response, or the error that stopped it (status 0)."""

    status: int
    body: bytes
    latency: float
    error: str = ""
    headers: dict = dataclasses.field(default_factory=dict)

    @property
    def text(self):
        return self.body.decode("utf-8", "replace")


def signed_form(
    base_url, path, params, *, token=AUTH_TOKEN, signature=None, headers=None, keep_alive=False
):
    """Build the raw bytes of a form POST to PATH signed the way Twilio signs it."""
    if signature is None:
        signature = RequestValidator(token).compute_signature(base_url + path, params)
    body = urlencode(params).encode()
    extra = {"X-Twilio-Signature": signature, **(headers or {})}
    return raw_request(
        base_url,
        "POST",
        path,
        body,
        "application/x-www-form-urlencoded",
        headers=extra,
        keep_alive=keep_alive,
    )


def raw_request(
    base_url, method, path, body=b"", content_type=None, headers=None, keep_alive=False
):
    """Build the raw bytes of one HTTP/1.1 request (closing its connection unless KEEP_ALIVE)."""
    host = urlsplit(base_url).netloc
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}"]
    if not keep_alive:
        lines.append("Connection: close")
    if content_type:
        lines.append(f"Content-Type: {content_type}")
    if body or method == "POST":
        lines.append(f"Content-Length: {len(body)}")
    lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def sms_params(sid, phone, body):
    """The form fields of an inbound Twilio SMS webhook."""
    return {
        "MessageSid": sid,
        "SmsSid": sid,
        "SmsMessageSid": sid,
        "AccountSid": ACCOUNT_SID,
        "From": phone,
        "To": TWILIO_NUMBER,
        "Body": body,
        "NumMedia": "0",
        "NumSegments": "1",
        "SmsStatus": "received",
        "ApiVersion": "2010-04-01",
    }


def call_params(call_sid, phone, **extra):
    """The form fields of a Twilio Voice webhook for CALL_SID."""
    return {
        "CallSid": call_sid,
        "AccountSid": ACCOUNT_SID,
        "From": phone,
        "To": TWILIO_NUMBER,
        "CallStatus": "in-progress",
        "Direction": "inbound",
        "ApiVersion": "2010-04-01",
        **extra,
    }


def message_sid(n, run="0"):
    """A unique, well-formed MessageSid (SM + 32 hex) for message N of RUN."""
    return "SM" + f"{run}{n:x}".rjust(32, "0")[-32:]


def call_sid(n, run="0"):
    """A unique, well-formed CallSid (CA + 32 hex) for call N of RUN."""
    return "CA" + f"{run}{n:x}".rjust(32, "0")[-32:]


def mobile_number(n):
    """A distinct, valid Vietnamese mobile number (+8490xxxxxxx) for index N."""
    return f"+8490{n % 10_000_000:07d}"


class _Exchange(asyncio.Protocol):
    """Write one request on connect and collect the response until the server closes."""

    def __init__(self, raw, done):
        self.raw = raw
        self.done = done
        self.chunks = []

    def connection_made(self, transport):
        transport.write(self.raw)

    def data_received(self, data):
        self.chunks.append(data)

    def connection_lost(self, exc):
        if not self.done.done():
            if exc is None:
                self.done.set_result(b"".join(self.chunks))
            else:
                self.done.set_exception(exc)


async def fetch(port, raw, timeout=IO_TIMEOUT):
    """Send RAW to 127.0.0.1:PORT and read the whole response; never raises.

    A bare Protocol rather than streams: it costs the generator about half the CPU.
    """
    loop = asyncio.get_running_loop()
    started = time.perf_counter()
    done = loop.create_future()
    transport = None
    try:
        async with asyncio.timeout(timeout):
            transport, _ = await loop.create_connection(
                lambda: _Exchange(raw, done), "127.0.0.1", port
            )
            data = await done
    except (OSError, TimeoutError) as exc:
        return Reply(0, b"", time.perf_counter() - started, error=type(exc).__name__)
    finally:
        if transport is not None:
            transport.close()
    latency = time.perf_counter() - started
    head, _, body = data.partition(b"\r\n\r\n")
    try:
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        status = int(status_line.split()[1])
    except (IndexError, ValueError):
        return Reply(0, data, latency, error="BadResponse")
    headers = {}
    for line in header_lines:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    if headers.get("transfer-encoding", "").lower() == "chunked":
        body = _dechunk(body)
    return Reply(status, body, latency, headers=headers)


def _dechunk(body):
    """Decode a chunked transfer-encoded body."""
    out = bytearray()
    while body:
        size_line, _, rest = body.partition(b"\r\n")
        size = int(size_line.split(b";")[0] or b"0", 16)
        if size == 0:
            break
        out += rest[:size]
        body = rest[size + 2 :]
    return bytes(out)


async def run_jobs(port, jobs, *, concurrency=32, time_limit=120.0):
    """Run JOBS (each a list of raw requests sent in order) on CONCURRENCY clients.

    Returns (replies per job, in job order) and stops taking new jobs at TIME_LIMIT seconds.
    """
    results = [None] * len(jobs)
    queue = iter(enumerate(jobs))
    deadline = time.monotonic() + time_limit

    async def client():
        for index, job in queue:
            if time.monotonic() > deadline:
                return
            replies = []
            for raw in job:
                replies.append(await fetch(port, raw))
            results[index] = replies

    await asyncio.gather(*(client() for _ in range(max(1, min(concurrency, len(jobs))))))
    return results


def send_all(port, requests, *, concurrency=32, time_limit=120.0):
    """Send single requests concurrently; return the replies in order (None if never sent)."""
    per_job = asyncio.run(
        run_jobs(port, [[raw] for raw in requests], concurrency=concurrency, time_limit=time_limit)
    )
    return [replies[0] if replies else None for replies in per_job]
