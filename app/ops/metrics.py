"""Prometheus metrics at /metrics: webhook latency, the outbox, the worker, the gateway phone.

Latency histograms are counted in each gunicorn worker and summed through
prometheus-client's multiprocess mode (gunicorn.conf.py sets PROMETHEUS_MULTIPROC_DIR
before any worker starts). The outbox and heartbeat gauges are read from the database at
scrape time, so every worker reports the same figures.

/metrics answers a request carrying `Authorization: Bearer $METRICS_TOKEN` or, without a
token, only a request made straight to the server from this machine: a loopback peer that
sent no proxy header of any kind (not through nginx or any other proxy).
"""

import hmac
import ipaddress
import os
import re
import shutil
import tempfile
import threading
import time
from pathlib import Path

from flask import Blueprint, Response, abort, current_app, g, request

bp = Blueprint("metrics", __name__)
WEBHOOK_BLUEPRINTS = frozenset({"sms", "voice"})
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)
_webhook_seconds = None
_creating = threading.Lock()


_created_dir = None


def prepare_multiprocess_dir(server):
    """Gunicorn on_starting hook: give the workers an empty PROMETHEUS_MULTIPROC_DIR."""
    global _created_dir
    path = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if path:
        Path(path).mkdir(parents=True, exist_ok=True)
        # Files left by an earlier run would be added to this run's counts.
        for stale in Path(path).glob("*.db"):
            stale.unlink()
    else:
        _created_dir = tempfile.mkdtemp(prefix="hamlet-line-metrics-")
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = _created_dir


def remove_multiprocess_dir(server):
    """Gunicorn on_exit hook: remove the metrics folder made at start, if this process made it."""
    if _created_dir:
        shutil.rmtree(_created_dir, ignore_errors=True)


def forget_worker(server, worker):
    """Gunicorn child_exit hook: drop the live-gauge files of a worker that has exited."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def webhook_seconds():
    """The webhook latency histogram, created on first use (after the environment is set)."""
    global _webhook_seconds
    # gunicorn's threads answer the first webhooks together; exactly one creates it.
    with _creating:
        if _webhook_seconds is None:
            from prometheus_client import Histogram

            _webhook_seconds = Histogram(
                "hamlet_webhook_seconds",
                "Time to answer a provider webhook, by endpoint and status code.",
                ["endpoint", "status"],
                buckets=LATENCY_BUCKETS,
            )
    return _webhook_seconds


def _start_timer():
    if request.blueprint in WEBHOOK_BLUEPRINTS:
        g.metrics_started = time.perf_counter()


def _observe(response):
    started = g.pop("metrics_started", None)
    if started is not None:
        webhook_seconds().labels(request.endpoint or "unknown", str(response.status_code)).observe(
            time.perf_counter() - started
        )
    return response


class DatabaseCollector:
    """Gauges read from the database at scrape time: outbox, worker and gateway phones."""

    def __init__(self, db_path, config):
        self.db_path = db_path
        self.config = config

    def collect(self):
        from prometheus_client.core import GaugeMetricFamily

        from app.delivery import gateway_watch, outbox_health
        from app.infra import clock
        from app.ops import worker
        from db import connect

        db = connect(self.db_path)
        try:
            now = clock.now()
            heartbeat = worker.last_heartbeat(db)
            waited = outbox_health.oldest_due_wait(db, now)
            figures = (
                (
                    "hamlet_outbox_backlog",
                    "Messages waiting to be sent.",
                    outbox_health.backlog(db),
                ),
                ("hamlet_outbox_failed", "Messages that gave up.", outbox_health.failed_count(db)),
                (
                    "hamlet_outbox_oldest_due_seconds",
                    "How long the longest-waiting due message has waited (0 when none).",
                    waited or 0.0,
                ),
                (
                    "hamlet_worker_heartbeat_timestamp_seconds",
                    "Unix time of the worker's last good pass (0 when it never ran).",
                    heartbeat.timestamp() if heartbeat else 0.0,
                ),
                (
                    "hamlet_worker_heartbeat_age_seconds",
                    "Seconds since the worker's last good pass (-1 when it never ran).",
                    (now - heartbeat).total_seconds() if heartbeat else -1.0,
                ),
            )
            # Only the phones in use, as in /healthz: an alert on silence must not fire for a
            # service that has no phone. One series per phone, labelled with its commune.
            phones = [
                (device, gateway_watch.last_seen(db, device["id"]))
                for device in gateway_watch.watched(db, self.config)
            ]
        finally:
            db.conn.close()
        for name, documentation, value in figures:
            yield GaugeMetricFamily(name, documentation, value=value)
        if not phones:
            return
        labels = ["commune", "device"]
        last_seen = GaugeMetricFamily(
            "hamlet_gateway_last_seen_timestamp_seconds",
            "Unix time of a gateway phone's last signed webhook (0 when never).",
            labels=labels,
        )
        silent = GaugeMetricFamily(
            "hamlet_gateway_silent_seconds",
            "Seconds since a gateway phone's last signed webhook (-1 when never).",
            labels=labels,
        )
        for device, seen in phones:
            names = [device["commune_code"], device["address"]]
            last_seen.add_metric(names, seen.timestamp() if seen else 0.0)
            silent.add_metric(names, (now - seen).total_seconds() if seen else -1.0)
        yield last_seen
        yield silent


# Headers by which some proxy says it relayed the request: RFC 7239's Forwarded, Via, the
# X-Forwarded-* family, and the client-address headers of nginx (X-Real-IP), CDNs and load
# balancers (True-Client-IP, CF-Connecting-IP, X-Client-IP, X-Cluster-Client-IP, ...).
_PROXY_HEADER = re.compile(
    r"^(?:forwarded|via|x-forwarded-.*|x-original-.*|x-real-ip"
    r"|.*[-_](?:client|connecting|real|remote|originating)[-_](?:ip|addr|address)"
    r"|(?:client|true-client|x-client|x-remote)[-_](?:ip|addr|address))$"
)


def _proxied():
    """Tell whether any header says a proxy relayed this request."""
    return any(_PROXY_HEADER.match(name.lower()) for name in request.headers.keys())


def _peer_address():
    """The address of the socket's peer, before ProxyFix rewrote it from X-Forwarded-For."""
    original = request.environ.get("werkzeug.proxy_fix.orig") or {}
    return original.get("REMOTE_ADDR") or request.environ.get("REMOTE_ADDR") or ""


def _allowed():
    """Tell whether this request may read the metrics."""
    token = current_app.config.get("METRICS_TOKEN")
    if token:
        given = request.headers.get("Authorization", "")
        return hmac.compare_digest(given.encode(), f"Bearer {token}".encode())
    # Without a token: only a direct local request. A proxy on this machine connects from
    # loopback too, so a request that carries any proxy's header is refused, whichever
    # header that proxy uses; the peer is the socket's, never one a header claimed.
    if _proxied():
        return False
    try:
        return ipaddress.ip_address(_peer_address()).is_loopback
    except ValueError:
        return False


@bp.get("/metrics")
def metrics():
    """Serve the metrics in Prometheus text format to a permitted scraper; 404 to others."""
    if not _allowed():
        abort(404)
    from prometheus_client import (
        CONTENT_TYPE_LATEST,
        CollectorRegistry,
        generate_latest,
        multiprocess,
    )

    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.MultiProcessCollector(registry)
    else:
        registry.register(_SingleProcessHistograms())
    registry.register(DatabaseCollector(current_app.config["DATABASE_PATH"], current_app.config))
    return Response(generate_latest(registry), mimetype=CONTENT_TYPE_LATEST)


class _SingleProcessHistograms:
    """Outside gunicorn (tests, `flask run`): this process's own histograms."""

    def collect(self):
        yield from webhook_seconds().collect()


def init_app(app):
    """Time the webhook blueprints and add /metrics."""
    app.before_request(_start_timer)
    app.after_request(_observe)
    app.register_blueprint(bp)
