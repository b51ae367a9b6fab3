"""Health check for monitoring: database, outbox backlog, the worker's heartbeat, the gateway."""

import sqlite3

from flask import Blueprint, current_app, jsonify

from app import channels
from app.delivery import gateway_watch, outbox_health
from app.infra import gateway_api
from app.infra.database import get_db
from app.ops import worker

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
            "outbox_backlog": outbox_health.backlog(db),
            "outbox_failed": outbox_health.failed_count(db),
            "worker": worker.health(db),
        }
        devices = gateway_watch.watched(db, current_app.config)
        if devices:
            # Every commune's phones, each judged by its own commune's settings.
            report["gateway_devices"] = [gateway_watch.health(db, d) for d in devices]
        if gateway_api.in_use(current_app.config):
            # `gateway` stays the first commune's default phone, as monitors read it.
            default = channels.default_gateway(db)[1]
            parts = report["gateway_devices"]
            report["gateway"] = next(p for p in parts if p["channel_id"] == default["id"])
    except sqlite3.Error as exc:
        return jsonify(status="error", database="unreachable", error=type(exc).__name__), 503
    problems = report["worker"]["problems"]
    return jsonify(status="degraded" if problems else "ok", **report)
