"""Wake the worker when a message is stored: a datagram to each worker's unix socket.

Every worker process binds a socket of its own in a folder beside the database
(`<database>.wake/`); a webhook that stored a message sends one byte to each, without
waiting. A full socket buffer means that worker is already awake, and a socket nobody
holds any more (a killed worker) is removed. The worker still polls every
FALLBACK_SECONDS, so a lost datagram delays an answer by that much at most.
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
# Listing the folder on every webhook would cost a syscall per worker start; a second is
# how long a new worker may go unwoken (its fallback poll covers it).
_LIST_SECONDS = 1.0
# Room for "/<pid>-<8 hex>.sock" within the 107 bytes of a unix socket's path.
_MAX_FOLDER = 80
_listing = {}  # folder -> (monotonic time listed, socket paths)
_sender = None


def folder(database_path):
    """The folder holding the workers' wake sockets of the database at DATABASE_PATH."""
    beside = f"{os.path.abspath(database_path)}.wake"
    if len(beside) <= _MAX_FOLDER:
        return beside
    # A socket's path holds at most 107 bytes: a deep database gets a short folder in the
    # temporary directory, named after it.
    digest = hashlib.sha1(beside.encode()).hexdigest()[:16]
    return os.path.join(tempfile.gettempdir(), f"hamlet-wake-{digest}")


def _sockets(path):
    """The wake sockets in folder PATH, listed at most once a second."""
    now = time.monotonic()
    listed = _listing.get(path)
    if listed is None or now - listed[0] > _LIST_SECONDS:
        try:
            names = sorted(name for name in os.listdir(path) if name.endswith(".sock"))
        except FileNotFoundError:
            names = []
        listed = (now, [os.path.join(path, name) for name in names])
        _listing[path] = listed
    return listed[1]


def notify(database_path):
    """Wake every worker of DATABASE_PATH; never blocks, never raises."""
    global _sender
    path = folder(database_path)
    for target in _sockets(path):
        try:
            if _sender is None:
                _sender = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
                _sender.setblocking(False)
            _sender.sendto(b"!", target)
        except BlockingIOError:
            pass  # its buffer is full of wake-ups already
        except (ConnectionRefusedError, FileNotFoundError):
            # Nobody holds it: a worker that died without cleaning up.
            with contextlib.suppress(OSError):
                os.unlink(target)
            _listing.pop(path, None)
        except OSError:
            log.warning("could not wake the worker at %s", target, exc_info=True)


class Listener:
    """One worker's wake socket; `wait` returns early when a webhook stored a message."""

    def __init__(self, database_path):
        path = folder(database_path)
        os.makedirs(path, exist_ok=True)
        self.path = os.path.join(path, f"{os.getpid()}-{secrets.token_hex(4)}.sock")
        self.socket = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.socket.bind(self.path)

    def wait(self, timeout=FALLBACK_SECONDS):
        """Wait up to TIMEOUT seconds for a wake-up; True if one came. Drains the rest."""
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
