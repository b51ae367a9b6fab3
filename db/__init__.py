"""Storage: SQLite connections (one kept per worker thread), transactions and migrations.

A thread's connection is opened once and reused (the Datasette way), so sqlite3's statement
cache and the parsed schema survive from one request to the next. A connection is never
shared between threads, nor used in a process other than the one that opened it, and it is
reopened when the database file is replaced (a restore). Nothing here knows of Flask: the
app binds connections to requests (app/infra/database.py).
"""

import contextlib
import fcntl
import functools
import os
import pathlib
import sqlite3
import threading
import weakref

from sqlite_utils import Database

BUSY_TIMEOUT_SECONDS = 10
# Room for the distinct statements the app runs (sqlite3 keeps 128 by default), so a
# kept connection prepares each one once.
CACHED_STATEMENTS = 256
# Web connections leave WAL checkpoints to the worker process (a passive one every pass,
# see checkpoint()); they only checkpoint themselves, after a commit, if the WAL passes
# this many pages (about 40 MB), which happens only while no worker is running.
WEB_AUTOCHECKPOINT_PAGES = 10_000
# A thread keeps connections to this many database files at most (one in production;
# a test process meets a new file in every test).
KEPT_PER_THREAD = 4


def connect(path, *, autocheckpoint=None, must_exist=False):
    """Open a sqlite-utils Database on PATH with WAL-friendly settings.

    AUTOCHECKPOINT sets PRAGMA wal_autocheckpoint (SQLite's default is 1000 pages);
    MUST_EXIST refuses to create the file, so a database that vanished is an error
    rather than a new empty one.
    """
    # isolation_level=None: no implicit BEGIN, so transactions are only the explicit
    # BEGIN IMMEDIATE ones below (the Datasette approach), never a silent deferred one.
    target, uri = str(path), False
    if must_exist:
        target, uri = f"{pathlib.Path(path).absolute().as_uri()}?mode=rw", True
    conn = sqlite3.connect(
        target,
        timeout=BUSY_TIMEOUT_SECONDS,
        isolation_level=None,
        check_same_thread=False,
        cached_statements=CACHED_STATEMENTS,
        uri=uri,
    )
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_SECONDS * 1000}")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA synchronous = NORMAL")
    if autocheckpoint is not None:
        conn.execute(f"PRAGMA wal_autocheckpoint = {int(autocheckpoint)}")
    database = Database(conn, execute_plugins=False)
    database.file_path = str(path)  # what the catalogue cache keys its entries by
    database.writer_lock_path = f"{path}-writer.lock"
    return database


def _file_identity(path):
    """The (device, inode) of the file at PATH, or None if there is none."""
    try:
        found = os.stat(path)
    except FileNotFoundError:
        return None
    return (found.st_dev, found.st_ino)


class InUse(RuntimeError):
    """A thread asked for its kept connection while it was still taken (a nested request)."""


class ThreadConnections(threading.local):
    """Each thread's open connections, by database path, reused from request to request.

    One request at a time holds a thread's connection: a second `take` before `give_back`
    (a request nested in another on the same thread) is refused, since the two would share
    one transaction and the inner one's end would roll back the outer one's work.
    """

    def __init__(self):
        self.open = {}  # path -> (Database, pid, file identity when opened)

    def take(self, path):
        """Return this thread's connection to PATH, opening (or reopening) it if needed."""
        path = str(path)
        entry = self.open.get(path)
        if entry is not None:
            database, pid, identity = entry
            if database.taken:
                raise InUse(f"this thread's connection to {path} is already taken")
            if pid == os.getpid() and identity == _file_identity(path):
                database.taken = True
                return database
            # Replaced by a restore, or inherited across fork(): never use it again.
            del self.open[path]
            _retire(database, same_process=pid == os.getpid())
        database = connect(path, autocheckpoint=WEB_AUTOCHECKPOINT_PAGES, must_exist=True)
        database.kept, database.taken = True, True
        self.open[path] = (database, os.getpid(), _file_identity(path))
        while len(self.open) > KEPT_PER_THREAD:
            oldest = next(iter(self.open))
            _retire(self.open.pop(oldest)[0], same_process=True)
        return database

    def give_back(self, database):
        """End the request's use, rolling back a transaction it left open."""
        database.taken = False
        if database.conn.in_transaction:
            database.conn.execute("ROLLBACK")

    def close_all(self):
        """Close every connection this thread keeps (tests and shutdown)."""
        while self.open:
            _path, (database, pid, _identity) = self.open.popitem()
            _retire(database, same_process=pid == os.getpid())


kept = ThreadConnections()
# Connections inherited from a parent process: closing one could checkpoint or delete the
# parent's WAL, so they are kept referenced, unused, until this process ends.
_inherited = []


def _retire(database, *, same_process):
    """Stop using DATABASE: close it if this process opened it, else just let it be."""
    if not same_process:
        _inherited.append(database)
        return
    database.conn.close()
    release_writer_lock_file(database)


def checkpoint(db):
    """Run a passive WAL checkpoint (copies what no reader needs; never waits on a lock)."""
    return db.conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()


def rows(db, sql, params=()):
    """Run a SELECT and return its rows as dicts (one statement, no table introspection)."""
    cursor = db.conn.execute(sql, params)
    keys = [column[0] for column in cursor.description]
    return [dict(zip(keys, row, strict=True)) for row in cursor]


def first(db, sql, params=()):
    """Run a SELECT and return its first row as a dict, or None."""
    cursor = db.conn.execute(sql, params)
    row = cursor.fetchone()
    if row is None:
        return None
    return dict(zip([column[0] for column in cursor.description], row, strict=True))


def in_list(name, values):
    """Named parameters for an IN list: (":name_0, :name_1", {"name_0": .., "name_1": ..})."""
    params = {f"{name}_{index}": value for index, value in enumerate(values)}
    return ", ".join(f":{key}" for key in params), params


@functools.cache
def _insert_sql(table, columns, ignore, rows=1, on_conflict_do_nothing=None):
    """The INSERT statement for TABLE and COLUMNS (ROWS rows), built once per shape."""
    verb = "INSERT OR IGNORE" if ignore else "INSERT"
    names = ", ".join(f'"{name}"' for name in columns)
    marks = "(" + ", ".join("?" for _ in columns) + ")"
    sql = f'{verb} INTO "{table}" ({names}) VALUES ' + ", ".join([marks] * rows)
    if on_conflict_do_nothing:
        keys = on_conflict_do_nothing
        keys = (keys,) if isinstance(keys, str) else keys
        sql += " ON CONFLICT (" + ", ".join(f'"{key}"' for key in keys) + ") DO NOTHING"
    return sql


def insert(db, table, record, *, ignore=False):
    """Insert RECORD (a dict) into TABLE; return the new rowid (stale when IGNORE skipped it).

    Table and column names come from our code, never from input.
    """
    sql = _insert_sql(table, tuple(record), ignore)
    return db.conn.execute(sql, list(record.values())).lastrowid


def insert_returning(db, table, record, *, ignore=False, on_conflict_do_nothing=None):
    """Insert RECORD into TABLE and return the stored row (with defaults), or None if skipped.

    ON_CONFLICT_DO_NOTHING names a unique column (or a tuple of them) whose conflict skips
    the row (any other constraint still fails), where IGNORE skips on any constraint.
    """
    sql = _insert_sql(table, tuple(record), ignore, 1, on_conflict_do_nothing) + " RETURNING *"
    return _returned(db.conn.execute(sql, list(record.values())))


def insert_many(db, table, records):
    """Insert RECORDS (dicts with the same keys) into TABLE in one statement."""
    if records:
        columns = tuple(records[0])
        sql = _insert_sql(table, columns, False, len(records))
        db.conn.execute(sql, [record[name] for record in records for name in columns])


def insert_many_returning(db, table, records):
    """Insert RECORDS in one statement; return their rows in order (TABLE has an id key)."""
    if not records:
        return []
    columns = tuple(records[0])
    sql = _insert_sql(table, columns, False, len(records)) + " RETURNING *"
    cursor = db.conn.execute(sql, [record[name] for record in records for name in columns])
    found = cursor.fetchall()
    keys = [column[0] for column in cursor.description]
    # SQLite does not promise the order of RETURNING rows; rowids follow the VALUES order.
    return sorted((dict(zip(keys, row, strict=True)) for row in found), key=lambda r: r["id"])


def _returned(cursor):
    """The one row a RETURNING statement gave, as a dict, or None."""
    # fetchall: the statement must run to its end before the transaction can commit.
    found = cursor.fetchall()
    if not found:
        return None
    return dict(zip([column[0] for column in cursor.description], found[0], strict=True))


@functools.cache
def _update_sql(table, key_column, columns):
    """The UPDATE statement for TABLE, its key column and the changed COLUMNS."""
    assignments = ", ".join(f'"{name}" = ?' for name in columns)
    return f'UPDATE "{table}" SET {assignments} WHERE "{key_column}" = ?'


def update(db, table, key_column, key, changes):
    """Set CHANGES (a dict) on the row of TABLE whose KEY_COLUMN is KEY; return the rowcount."""
    if not changes:
        return 0
    sql = _update_sql(table, key_column, tuple(changes))
    return db.conn.execute(sql, [*changes.values(), key]).rowcount


def update_returning(db, table, key_column, key, changes):
    """Set CHANGES on the row of TABLE whose KEY_COLUMN is KEY; return the row after, or None."""
    sql = _update_sql(table, key_column, tuple(changes)) + " RETURNING *"
    return _returned(db.conn.execute(sql, [*changes.values(), key]))


# The writer-lock files this thread holds: a second connection of the same thread must not
# wait for a lock its own first connection holds.
_held = threading.local()


def _writer_lock_fd(db):
    """Return this connection's descriptor of the writer-lock file, opening it once."""
    fd = getattr(db, "writer_lock_fd", None)
    if fd is None:
        fd = os.open(db.writer_lock_path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        db.writer_lock_fd = fd
        # Closed with the connection (release_writer_lock_file), or when the Database goes away.
        db.writer_lock_close = weakref.finalize(db, os.close, fd)
    return fd


def release_writer_lock_file(db):
    """Close the connection's writer-lock file descriptor, if it opened one."""
    closer = getattr(db, "writer_lock_close", None)
    if closer is not None:
        closer()


@contextlib.contextmanager
def _writer_turn(db):
    """Hold the database's writer lock file (flock) for the length of a write transaction.

    SQLite's busy handler sleeps in steps of up to 100 ms while another connection writes,
    so two gunicorn workers taking turns lose most of their time asleep. Waiting on flock
    instead wakes the next writer as soon as the lock is released; busy_timeout stays as
    the backstop for writers that do not take this lock (migrations, the sqlite3 shell).
    """
    path = getattr(db, "writer_lock_path", None)
    held = _held.__dict__.setdefault("paths", set())
    if path is None or path in held:
        yield
        return
    fd = _writer_lock_fd(db)
    fcntl.flock(fd, fcntl.LOCK_EX)
    held.add(path)
    try:
        yield
    finally:
        held.discard(path)
        fcntl.flock(fd, fcntl.LOCK_UN)


@contextlib.contextmanager
def transaction(db):
    """Run a block in a BEGIN IMMEDIATE transaction (a savepoint when nested)."""
    if db.conn.in_transaction:
        # A savepoint inside the open transaction, which already holds the writer lock.
        with _savepoint(db):
            yield db
        return
    with _writer_turn(db):
        # IMMEDIATE takes the write lock up front, so a read that turns into a write
        # waits on busy_timeout instead of failing with SQLITE_BUSY half way.
        db.conn.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            if db.conn.in_transaction:
                db.conn.execute("ROLLBACK")
            raise
        else:
            db.conn.execute("COMMIT")


@contextlib.contextmanager
def _savepoint(db):
    """Run a block in a savepoint, rolled back to if the block raises."""
    # Named by depth, not at random (as sqlite-utils' atomic() does), so the few statements
    # stay in the kept connection's statement cache instead of pushing others out.
    depth = getattr(db, "savepoint_depth", 0) + 1
    name = f"nested_{depth}"
    db.savepoint_depth = depth
    db.conn.execute(f"SAVEPOINT {name}")
    try:
        yield
    except BaseException:
        # A RAISE(ROLLBACK) trigger can end the whole transaction, savepoints included.
        if db.conn.in_transaction:
            db.conn.execute(f"ROLLBACK TO {name}")
            db.conn.execute(f"RELEASE {name}")
        raise
    else:
        db.conn.execute(f"RELEASE {name}")
    finally:
        db.savepoint_depth = depth - 1


def migrate(path):
    """Apply pending migrations to the database at PATH; return the names applied."""
    from db.files import private_database, private_file
    from db.migrations import migrations

    # A file lock makes two init-db runs started together take turns instead of
    # both trying to create the same tables.
    with open(private_file(f"{path}.migrate-lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        # Created owner-only before SQLite opens it; the WAL and -shm files copy its mode.
        private_database(path)
        db = connect(path)
        try:
            pending = [m.name for m in migrations.pending(db)]
            migrations.apply(db)
            return pending
        finally:
            db.conn.close()
