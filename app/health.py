"""Health check for monitoring: database reachable and outbox backlog."""

import sqlite3

from flask import Blueprint, jsonify

from app import outbox
from db import get_db

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    """Report database status and the outbox backlog; 503 when the database fails."""
    try:
        db = get_db()
        db.execute("SELECT 1").fetchone()
        backlog = outbox.backlog(db)
        failed = db.execute("SELECT count(*) FROM outbox WHERE status = 'failed'").fetchone()[0]
    except sqlite3.Error as exc:
        return jsonify(status="error", database="unreachable", error=type(exc).__name__), 503
    return jsonify(status="ok", database="ok", outbox_backlog=backlog, outbox_failed=failed)
