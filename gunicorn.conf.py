"""gunicorn settings: every way of starting the web server reads this file.

`make run`, `bin/run-service`, the systemd unit, the tests, the benchmarks and a plain
`gunicorn wsgi:app` run from this folder all get these settings (gunicorn loads
./gunicorn.conf.py by default); command-line flags such as --bind still win.
"""

import os

from app.ops import metrics

bind = f"127.0.0.1:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))

# Threads, not sync workers: a slow client holds at most one thread, never a process. The
# worker class hands idle sockets back to the poller and bounds the time to read a request
# (app/infra/web/serving.py); 16 threads a worker leave room for 10 trickling clients on one worker.
worker_class = "app.infra.web.serving.SlowClientSafeWorker"
threads = 16
worker_connections = 1000
# Seconds a connection may sit idle: before its first request and between requests.
keepalive = 5
timeout = 30
graceful_timeout = 10

# Request size limits, below gunicorn's defaults: no form of ours needs more.
limit_request_line = 4094
limit_request_fields = 60
limit_request_field_size = 8190

# X-Forwarded-* are believed only by the app, through TRUSTED_PROXIES (Werkzeug's ProxyFix);
# gunicorn's own forwarded-header handling is off so there is one place that decides.
forwarded_allow_ips = "127.0.0.2"
secure_scheme_headers = {}
forwarder_headers = ""

accesslog = "-"
# Every access and error line with phones cut to their last 3 digits and keys redacted: the
# request line carries query strings such as ?api_key=... or ?phone=... (app/infra/logs.py).
logger_class = "app.infra.web.gunicorn_logging.RedactingLogger"
# gunicorn's control socket lives in the user's home by default, shared by every gunicorn
# of that user (tests start several at once); nothing here uses it.
control_socket_disable = True

# Prometheus counters and histograms from every worker are summed at /metrics (app/ops/metrics.py).
on_starting = metrics.prepare_multiprocess_dir
child_exit = metrics.forget_worker
on_exit = metrics.remove_multiprocess_dir
