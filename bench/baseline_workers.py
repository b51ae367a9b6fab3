"""The worker the service shipped before its requests were read in the event loop.

Kept for `bench.slow_clients` only, as the baseline the current worker
(app/infra/web/serving.py) is measured beside: an idle connection goes back to the poller,
but one that has sent a byte holds a thread until its request is whole or 15 s have passed.
"""

import time

from gunicorn.http.unreader import SocketUnreader
from gunicorn.workers import gthread

# Time for a whole request (headers and body) once its first byte is in. A 64 KB webhook
# over a poor 2G link takes a few seconds; nothing legitimate needs this long.
READ_SECONDS = 15.0
# How long a thread waits for the first byte of a new connection before handing it to the
# poller; a normal client has sent its request by the time the connection is accepted.
FIRST_BYTE_WAIT_SECONDS = 0.05


class DeadlineUnreader(SocketUnreader):
    """Read the request from the socket, but end it (as a hang-up) at a deadline."""

    def __init__(self, sock, max_chunk=8192):
        super().__init__(sock, max_chunk)
        self.deadline = time.monotonic() + READ_SECONDS

    def chunk(self, size_hint=None):
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            return b""
        self.sock.settimeout(remaining)
        try:
            return super().chunk(size_hint)
        except TimeoutError:
            return b""
        finally:
            # The response is written with a blocking socket, as gunicorn expects.
            self.sock.settimeout(None)


class FirstByteWorker(gthread.ThreadWorker):
    """The previous worker: a first-byte hand-off, then the whole request read in a thread."""

    def handle(self, conn):
        if not conn.initialized:
            if not conn.data_ready and not conn.wait_for_data(FIRST_BYTE_WAIT_SECONDS):
                return gthread._DEFER
            conn.sock.setblocking(True)
            conn.init()
            if isinstance(conn.parser.unreader, SocketUnreader):
                conn.parser.unreader = DeadlineUnreader(conn.sock)
        unreader = getattr(conn.parser, "unreader", None)
        if isinstance(unreader, DeadlineUnreader):
            # Each request on a kept-alive connection gets its own deadline.
            unreader.deadline = time.monotonic() + READ_SECONDS
        return super().handle(conn)
