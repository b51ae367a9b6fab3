"""Wake whoever waits on the database: a datagram to each listener's unix socket.

Two things are waited for, each with a folder of sockets beside the database: STORED
(`<database>.wake/`), where every worker process listens for messages a webhook stored,
and REPLIES (`<database>.replies/`), where the simulator and `flask sms` listen while they
wait for a worker to answer a message and send the reply. The side that made the change
sends one byte to each socket in the folder, without waiting. A full socket buffer means
that listener is already awake, and a socket nobody holds any more (a killed process) is
removed. Listeners still look again after a timeout of their own (a worker every
FALLBACK_SECONDS), so a lost datagram only delays them.
"""

import contextlib
import hashlib
import logging
import os
import secrets
import socket
import tempfile
import time

log = logging.getLogger(__name__)
FALLBACK_SECONDS = 0.25
STORED = "wake"  # a webhook stored a message: the workers answer it
REPLIES = "replies"  # a worker answered a message or sent a reply: the simulator shows it
# A folder's listing is kept while its modification time stands still. That time comes
# from the kernel's coarse clock (a tick, at most 10 ms, behind), so a listing made within
# this long of the last change may miss a socket bound in the same tick: it is made again.
_SETTLED_NS = 50_000_000
# Room for "/<pid>-<8 hex>.sock" within the 107 bytes of a unix socket's path.
_MAX_FOLDER = 80
_listing = {}  # folder -> (its mtime, wall time listed, socket paths), both in ns
_sender = None


def folder(database_path, topic=STORED):
    """The folder of the sockets listening for TOPIC on the database at DATABASE_PATH."""
    beside = f"{os.path.abspath(database_path)}.{topic}"
    if len(beside) <= _MAX_FOLDER:
        return beside
    # A socket's path holds at most 107 bytes: a deep database gets a short folder in the
    # temporary directory, named after it.
    digest = hashlib.sha1(beside.encode()).hexdigest()[:16]
    return os.path.join(tempfile.gettempdir(), f"hamlet-{topic}-{digest}")


def _sockets(path):
    """The sockets in folder PATH, listed again only when the folder has changed."""
    try:
        changed = os.stat(path).st_mtime_ns
    except FileNotFoundError:
        _listing.pop(path, None)
        return []
    listed = _listing.get(path)
    if listed is None or listed[0] != changed or listed[1] - changed < _SETTLED_NS:
        now = time.time_ns()
        try:
            names = sorted(name for name in os.listdir(path) if name.endswith(".sock"))
        except FileNotFoundError:
            names = []
        listed = (changed, now, [os.path.join(path, name) for name in names])
        _listing[path] = listed
    return listed[2]


def notify(database_path, topic=STORED):
    """Wake everyone listening for TOPIC on DATABASE_PATH; never blocks, never raises."""
    global _sender
    path = folder(database_path, topic)
    for target in _sockets(path):
        try:
            if _sender is None:
                _sender = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
                _sender.setblocking(False)
            _sender.sendto(b"!", target)
        except BlockingIOError:
            pass  # its buffer is full of wake-ups already
        except (ConnectionRefusedError, FileNotFoundError):
            # Nobody holds it: a listener that died without cleaning up.
            with contextlib.suppress(OSError):
                os.unlink(target)
            _listing.pop(path, None)
        except OSError:
            log.warning("could not wake the listener at %s", target, exc_info=True)


class Listener:
    """One listener's socket; `wait` returns early when someone notified its TOPIC."""

    def __init__(self, database_path, topic=STORED):
        path = folder(database_path, topic)
        os.makedirs(path, exist_ok=True)
        self.path = os.path.join(path, f"{os.getpid()}-{secrets.token_hex(4)}.sock")
        self.socket = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.socket.bind(self.path)

    def wait(self, timeout=FALLBACK_SECONDS):
        """Wait up to TIMEOUT seconds for a wake-up; True if one came. Drains the rest."""
        if timeout <= 0:
            timeout = 0.001  # settimeout(0) would make recv non-blocking, not wait
        self.socket.settimeout(timeout)
        try:
            self.socket.recv(64)
        except TimeoutError:
            return False
        self.socket.setblocking(False)
        with contextlib.suppress(BlockingIOError):
            while self.socket.recv(64):
                pass
        return True

    def close(self):
        """Stop listening and remove the socket file."""
        self.socket.close()
        with contextlib.suppress(OSError):
            os.unlink(self.path)
