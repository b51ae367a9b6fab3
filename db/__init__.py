"""Storage: one SQLite connection per request, transactions, and the init-db command."""

import contextlib
import fcntl
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
