"""Owner-only files: the database, its WAL and shared-memory files, backups and recordings.

They hold residents' names, phones and voice messages and the staff password hashes, so
nobody but the service's own user may read them, whatever the umask.
"""

import os
from pathlib import Path

PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700
# SQLite creates these beside the database, with the database file's own mode.
SIDE_FILES = ("-wal", "-shm", "-journal")


def private_dir(path):
    """Create folder PATH (and parents) if missing, and make it owner-only."""
    folder = Path(path)
    folder.mkdir(parents=True, exist_ok=True, mode=PRIVATE_DIR)
    if folder.stat().st_mode & 0o777 != PRIVATE_DIR:
        folder.chmod(PRIVATE_DIR)
    return folder


def private_file(path):
    """Create file PATH empty if missing, and make it owner-only (before anyone writes it)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_CLOEXEC, PRIVATE_FILE)
    try:
        os.fchmod(fd, PRIVATE_FILE)
    finally:
        os.close(fd)
    return Path(path)


def write_private(path, data):
    """Write bytes DATA to a new owner-only file PATH."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, PRIVATE_FILE)
    with os.fdopen(fd, "wb") as handle:
        os.fchmod(handle.fileno(), PRIVATE_FILE)
        handle.write(data)
    return Path(path)


def private_database(path):
    """Make the database at PATH and the side files SQLite keeps next to it owner-only."""
    private_file(path)
    for suffix in SIDE_FILES:
        side = Path(f"{path}{suffix}")
        if side.exists():
            side.chmod(PRIVATE_FILE)
    return Path(path)
