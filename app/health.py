"""Health check for monitoring: database, outbox backlog and the worker's heartbeat."""

import sqlite3

from flask import Blueprint, jsonify

from app import outbox, worker
from db import get_db

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    """Report the service's state.

    503 when the database fails; "degraded" (still 200, so a load balancer keeps the web
    server) when the worker is silent or a due message has waited too long.
    """
    try:
        db = get_db()
        db.execute("SELECT 1").fetchone()
        report = {
            "database": "ok",
            "outbox_backlog": outbox.backlog(db),
            "outbox_failed": outbox.failed_count(db),
            "worker": worker.health(db),
        }
    except sqlite3.Error as exc:
        return jsonify(status="error", database="unreachable", error=type(exc).__name__), 503
    problems = report["worker"]["problems"]
    return jsonify(status="degraded" if problems else "ok", **report)
