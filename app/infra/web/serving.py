"""The gunicorn worker: a request reaches a thread only once it has arrived whole.

gunicorn's gthread worker hands a connection to a thread as soon as it is readable, and the
thread then reads the headers and the body at the client's pace. A client that sends one
byte every few seconds holds a thread all that time: 16 of them stop a worker. This worker
reads in its event loop instead, without blocking, into a buffer per connection, and hands
the connection to a thread only when the buffer holds a whole request:

- the head (up to the blank line), and
- the body its Content-Length announces, when that is within `BUFFERED_BODY_BYTES` (the
  largest body any route accepts); a larger body is refused by the app from its
  Content-Length, so it is handed over at once with its head.

So an idle, a trickling or a half-sent connection costs a socket and its buffer, never a
thread. A connection that has sent nothing is closed after `keepalive` seconds, as gunicorn
does; one whose request has not arrived whole `READ_SECONDS` after its first byte is closed
as if the client had hung up. A chunked body, or one sent after `Expect: 100-continue`, is
read in the thread, still within `READ_SECONDS`. TLS is nginx's job; with gunicorn's own TLS
(`certfile`) this worker behaves as gthread does.

Behind nginx none of this triggers: nginx buffers the whole request before it connects.
"""

import errno
import re
import selectors
import time
from functools import partial

from gunicorn.http.unreader import SocketUnreader
from gunicorn.workers import gthread

# Time for a whole request (headers and body) once its first byte is in. A 64 KB webhook
# over a poor 2G link takes a few seconds; nothing legitimate needs this long.
READ_SECONDS = 15.0
# The largest body a route takes (app/infra/web/limits.py: a simulated voice clip).
BUFFERED_BODY_BYTES = 2 * 1024 * 1024 + 64 * 1024
RECV_BYTES = 64 * 1024
_CONTENT_LENGTH = re.compile(rb"\ncontent-length[ \t]*:[ \t]*(\d{1,12})[ \t]*\r?(?:\n|$)")
_READ_IN_THREAD = re.compile(rb"\n(?:transfer-encoding|expect)[ \t]*:")


def request_complete(buffer, head_limit):
    """Tell whether BUFFER holds a whole request, or as much of one as is worth waiting for.

    True once the head and its announced body are in; also when the head is longer than
    HEAD_LIMIT or the body is chunked, too large or waits for a 100 Continue, since the
    parser (or the thread) deals with those.
    """
    end = buffer.find(b"\r\n\r\n")
    separator = 4
    if end < 0:
        end, separator = buffer.find(b"\n\n"), 2
    if end < 0:
        return len(buffer) > head_limit
    head = bytes(buffer[:end]).lower()
    if _READ_IN_THREAD.search(head):
        return True
    found = _CONTENT_LENGTH.search(head + b"\n")
    if not found:
        return True
    length = int(found.group(1))
    if length > BUFFERED_BODY_BYTES:
        return True
    return len(buffer) - end - separator >= length


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


class _Arriving:
    """A connection whose request is still arriving: its bytes so far and its deadline."""

    __slots__ = ("buffer", "deadline")

    def __init__(self, deadline):
        self.buffer = bytearray()
        self.deadline = deadline


class SlowClientSafeWorker(gthread.ThreadWorker):
    """gunicorn's thread worker that reads each request in its event loop before a thread."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.arriving = {}
        cfg = self.cfg
        self.head_limit = cfg.limit_request_line + cfg.limit_request_fields * (
            cfg.limit_request_field_size + 2
        )

    def accept(self, listener):
        """Accept a connection and wait in the poller for its request, not in a thread."""
        if self.cfg.is_ssl:
            return super().accept(listener)
        try:
            client_sock, client_addr = listener.accept()
        except OSError as exc:
            if exc.errno not in (errno.EAGAIN, errno.ECONNABORTED, errno.EWOULDBLOCK):
                raise
            return
        self.nr_conns += 1
        conn = gthread.TConn(self.cfg, client_sock, client_addr, listener.getsockname())
        self._wait_for_request(conn)
        # Most clients send their request with the connection: read it now, saving a trip
        # through the poller, and dispatch it at once when it is whole.
        self._read_some(conn, client_sock)

    def on_client_socket_readable(self, conn, client):
        """A kept-alive connection has bytes: read its next request in the loop too."""
        if self.cfg.is_ssl:
            return super().on_client_socket_readable(conn, client)
        self.poller.unregister(client)
        self.keepalived_conns.remove(conn)
        self._wait_for_request(conn)
        self._read_some(conn, client)

    def _wait_for_request(self, conn):
        conn.sock.setblocking(False)
        self.arriving[conn] = _Arriving(time.monotonic() + self.cfg.keepalive)
        self.poller.register(conn.sock, selectors.EVENT_READ, partial(self._read_some, conn))

    def _read_some(self, conn, client):
        """Read what the client sent; hand the connection to a thread once it is whole."""
        state = self.arriving.get(conn)
        if state is None:
            return
        try:
            data = conn.sock.recv(RECV_BYTES)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        if not data:
            self._close_arriving(conn)
            return
        if not state.buffer:
            state.deadline = time.monotonic() + READ_SECONDS
        state.buffer += data
        if not request_complete(state.buffer, self.head_limit):
            return
        del self.arriving[conn]
        self.poller.unregister(conn.sock)
        conn.data_ready = True
        conn.init()
        conn.sock.setblocking(True)
        conn.parser.unreader.unread(bytes(state.buffer))
        self.enqueue_req(conn)

    def _close_arriving(self, conn):
        self.arriving.pop(conn, None)
        try:
            self.poller.unregister(conn.sock)
        except (OSError, KeyError, ValueError):
            pass
        self.nr_conns -= 1
        conn.close()

    def murder_pending(self):
        """Close connections whose request did not arrive whole in time, then gthread's own."""
        now = time.monotonic()
        for conn in [c for c, state in self.arriving.items() if state.deadline <= now]:
            self._close_arriving(conn)
        super().murder_pending()

    def handle(self, conn):
        """Serve one request in a thread; anything still to read has a deadline."""
        if not conn.initialized:
            conn.sock.setblocking(True)
            conn.init()
        if isinstance(conn.parser.unreader, SocketUnreader) and not isinstance(
            conn.parser.unreader, DeadlineUnreader
        ):
            buffered = conn.parser.unreader.take_buffered()
            conn.parser.unreader = DeadlineUnreader(conn.sock)
            conn.parser.unreader.unread(buffered)
        unreader = conn.parser.unreader
        if isinstance(unreader, DeadlineUnreader):
            # Each request on a kept-alive connection gets its own deadline.
            unreader.deadline = time.monotonic() + READ_SECONDS
        return super().handle(conn)
