"""The Flask side of storage: a request's (its thread's) connection, teardown, and init-db.

db/ opens connections, keeps one per thread and runs migrations; this module binds them to
Flask: a web request uses its thread's kept connection, and `flask` commands and anything
else outside a request get their own connection, closed when their app context ends.
"""

import click
from flask import current_app, g, has_request_context
from flask.cli import with_appcontext

from db import connect, kept, migrate, release_writer_lock_file


def get_db():
    """Return the database connection of this request (its thread's) or app context."""
    if "db" not in g:
        path = current_app.config["DATABASE_PATH"]
        if has_request_context():
            g.db = kept.take(path)
        else:
            g.db = connect(path)
    return g.db


def close_db(exc=None):
    """Give a kept connection back to its thread, or close the context's own connection."""
    db = g.pop("db", None)
    if db is None:
        return
    if getattr(db, "kept", False):
        kept.give_back(db)
        return
    db.conn.close()
    release_writer_lock_file(db)


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
