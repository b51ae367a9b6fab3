"""Storage: one SQLite connection per request, transactions, and the init-db command."""

import contextlib
import fcntl
import functools
import sqlite3

import click
from flask import current_app, g
from flask.cli import with_appcontext
from sqlite_utils import Database

BUSY_TIMEOUT_SECONDS = 10


def connect(path):
    """Open a sqlite-utils Database on PATH with WAL-friendly settings."""
    # isolation_level=None: no implicit BEGIN, so transactions are only the explicit
    # BEGIN IMMEDIATE ones below (the Datasette approach), never a silent deferred one.
    conn = sqlite3.connect(
        str(path),
        timeout=BUSY_TIMEOUT_SECONDS,
        isolation_level=None,
        check_same_thread=False,
    )
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_SECONDS * 1000}")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA synchronous = NORMAL")
    return Database(conn, execute_plugins=False)


def get_db():
    """Return the request's database connection, opening it on first use."""
    if "db" not in g:
        g.db = connect(current_app.config["DATABASE_PATH"])
    return g.db


def close_db(exc=None):
    """Close the request's connection, if one was opened."""
    db = g.pop("db", None)
    if db is not None:
        db.conn.close()


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


@functools.cache
def _insert_sql(table, columns, ignore):
    """The INSERT statement for TABLE and COLUMNS, built once per shape."""
    verb = "INSERT OR IGNORE" if ignore else "INSERT"
    names = ", ".join(f'"{name}"' for name in columns)
    marks = ", ".join("?" for _ in columns)
    return f'{verb} INTO "{table}" ({names}) VALUES ({marks})'


def insert(db, table, record, *, ignore=False):
    """Insert RECORD (a dict) into TABLE; return the new rowid (stale when IGNORE skipped it).

    Table and column names come from our code, never from input.
    """
    sql = _insert_sql(table, tuple(record), ignore)
    return db.conn.execute(sql, list(record.values())).lastrowid


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


@contextlib.contextmanager
def transaction(db):
    """Run a block in a BEGIN IMMEDIATE transaction (a savepoint when nested)."""
    if db.conn.in_transaction:
        with db.atomic():
            yield db
        return
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


def migrate(path):
    """Apply pending migrations to the database at PATH; return the names applied."""
    from db.migrations import migrations

    # A file lock makes two init-db runs started together take turns instead of
    # both trying to create the same tables.
    with open(f"{path}.migrate-lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        db = connect(path)
        try:
            pending = [m.name for m in migrations.pending(db)]
            migrations.apply(db)
            return pending
        finally:
            db.conn.close()


@click.command("init-db")
@with_appcontext
def init_db_command():
    """Apply database migrations (safe to run again)."""
    applied = migrate(current_app.config["DATABASE_PATH"])
    if applied:
        click.echo("Applied migrations: " + ", ".join(applied))
    else:
        click.echo("Database is up to date.")


def init_app(app):
    """Close connections at teardown and register the init-db command."""
    app.teardown_appcontext(close_db)
    app.cli.add_command(init_db_command)
