"""Run the service under gunicorn on a free loopback port, for benchmarks and reliability tests.

Each `Service` gets its own temporary database (migrated and seeded with the real CLI) and
its own process group, so a test can stop it politely or kill -9 the master and workers at once.
"""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
AUTH_TOKEN = "bench-auth-token-0123456789abcdef"
# The service's Twilio number: webhooks route by it (To, Called) to the first commune.
TWILIO_NUMBER = "+84287300000"
ACCOUNT_SID = "AC" + "b" * 32
SECRET_KEY = "bench-secret-key"
START_TIMEOUT = 30.0
STOP_TIMEOUT = 15.0


def shipped_gunicorn_settings():
    """Options that give gunicorn the settings the service ships with: gunicorn.conf.py.

    gunicorn would read it from its working directory (the project root) by itself; naming
    it makes the command line say so.
    """
    return ["--config", str(ROOT / "gunicorn.conf.py")]


def free_port():
    """Return a TCP port that is free on 127.0.0.1 right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def service_env(db_path, port, **extra):
    """The environment a service process runs with: our database, token and public URL."""
    env = dict(os.environ)
    env.update(
        {
            "DATABASE_PATH": str(db_path),
            # Report files beside the service's database, never in the checkout's instance/.
            "REPORTS_DIR": str(Path(db_path).parent / "reports"),
            "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
            "PORT": str(port),
            "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
            "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
            "TWILIO_FROM_NUMBER": TWILIO_NUMBER,
            "SECRET_KEY": SECRET_KEY,
            "PYTHONUNBUFFERED": "1",
        }
    )
    # A developer's FLASK_APP or DEBUG settings must not leak into a measured run.
    for name in ("FLASK_APP", "FLASK_DEBUG", "WERKZEUG_RUN_MAIN"):
        env.pop(name, None)
    env.update({key: str(value) for key, value in extra.items()})
    return env


def flask_cli(env, *args, timeout=120, check=True):
    """Run `flask --app wsgi ARGS` in the project root with ENV; return the CompletedProcess."""
    done = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if check and done.returncode != 0:
        raise RuntimeError(f"flask {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
    return done


def prepare_database(env):
    """Migrate and seed the database named in ENV, as `make run` does before gunicorn starts."""
    flask_cli(env, "init-db")
    flask_cli(env, "seed")


def children_of(pid):
    """Return the pids whose parent is PID (read from /proc)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                stat = handle.read()
        except OSError:
            continue
        # The command name is in parentheses and may hold spaces; fields follow the last ')'.
        fields = stat[stat.rindex(")") + 2 :].split()
        if int(fields[1]) == pid:
            found.append(int(entry))
    return sorted(found)


def cpu_seconds(pid):
    """Return the user + system CPU seconds PID has used, from /proc/PID/stat."""
    with open(f"/proc/{pid}/stat") as handle:
        stat = handle.read()
    fields = stat[stat.rindex(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mb(pid):
    """Return the resident set size of PID in MB, from /proc/PID/status VmRSS."""
    with open(f"/proc/{pid}/status") as handle:
        for line in handle:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise LookupError(f"no VmRSS for pid {pid}")


class Service:
    """A gunicorn server (and optionally outbox workers) on 127.0.0.1 with a temp database."""

    def __init__(
        self,
        workdir,
        *,
        app="wsgi:app",
        workers=2,
        prepare=True,
        health_path="/healthz",
        extra_args=(),
        **env,
    ):
        self.workdir = Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.app = app
        self.workers = workers
        self.extra_args = list(extra_args)
        self.port = free_port()
        self.db_path = self.workdir / "service.db"
        self.env = service_env(self.db_path, self.port, **env)
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.health_path = health_path
        self.log_path = self.workdir / "gunicorn.log"
        self.process = None
        self.outbox_workers = []
        if prepare:
            prepare_database(self.env)

    def gunicorn_command(self):
        """The gunicorn command line; the same settings serve the app and the baseline.

        gunicorn reads ./gunicorn.conf.py (the project's settings); these flags add to it.
        """
        return [
            sys.executable,
            "-m",
            "gunicorn",
            *shipped_gunicorn_settings(),
            "--bind",
            f"127.0.0.1:{self.port}",
            "--workers",
            str(self.workers),
            "--graceful-timeout",
            "5",
            *self.extra_args,
            self.app,
        ]

    def start(self):
        """Start gunicorn in its own process group and wait until it answers."""
        if getattr(self, "_log", None):
            self._log.close()
        log = open(self.log_path, "a")  # noqa: SIM115 - closed in stop()
        self._log = log
        self.process = subprocess.Popen(
            self.gunicorn_command(),
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.wait_ready()
        return self

    def wait_ready(self, timeout=START_TIMEOUT):
        """Poll the health path until it answers 200 and every worker has booted."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited early:\n{self.log_text()[-3000:]}")
            try:
                with urllib.request.urlopen(self.base_url + self.health_path, timeout=2) as reply:
                    if reply.status == 200 and len(self.worker_pids()) >= self.workers:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.1)
        raise TimeoutError(f"gunicorn did not start in {timeout} s:\n{self.log_text()[-3000:]}")

    def worker_pids(self):
        """The pids of the gunicorn workers (children of the master)."""
        if self.process is None or self.process.poll() is not None:
            return []
        return children_of(self.process.pid)

    def workers_cpu_seconds(self):
        """The CPU seconds the gunicorn workers have used so far, together."""
        return sum(cpu_seconds(pid) for pid in self.worker_pids())

    def worker_rss_mb(self):
        """The resident set size (MB) of each gunicorn worker."""
        return [rss_mb(pid) for pid in self.worker_pids()]

    def start_outbox_workers(self, count):
        """Start COUNT `flask --app wsgi worker` processes writing to our log."""
        for _ in range(count):
            self.outbox_workers.append(
                subprocess.Popen(
                    [sys.executable, "-m", "flask", "--app", "wsgi", "worker"],
                    cwd=ROOT,
                    env=self.env,
                    stdout=self._log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            )
        return self.outbox_workers

    def stop_outbox_workers(self):
        """Stop the outbox workers with SIGTERM (SIGKILL if they hang)."""
        for process in self.outbox_workers:
            _terminate(process)
        self.outbox_workers = []

    def kill9(self):
        """SIGKILL the gunicorn master and all its workers at once, mid-whatever."""
        if self.process is None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.wait(timeout=STOP_TIMEOUT)
        self.process = None

    def stop(self):
        """Stop gunicorn and any outbox workers politely, then forcibly if needed."""
        self.stop_outbox_workers()
        if self.process is not None:
            _terminate(self.process)
            self.process = None
        if getattr(self, "_log", None):
            self._log.close()
            self._log = None

    def log_text(self):
        """Everything gunicorn and the workers wrote so far."""
        try:
            return self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def _terminate(process):
    """SIGTERM a process group, then SIGKILL it if it is still there after a grace period."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=STOP_TIMEOUT)
    except ProcessLookupError:
        pass
