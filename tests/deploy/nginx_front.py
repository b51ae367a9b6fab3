"""Debian's nginx with the shipped site config (deploy/nginx/hamlet-line.conf), unprivileged.

The site file is used as shipped, with its @NAMES@ filled in the way deploy/install.sh does,
inside a small main config that gives nginx its own prefix, high ports, pid file, logs and
temp folders in a temporary directory. When the tests run as root, nginx runs as `nobody`.
"""

import os
import pwd
import re
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import time
from pathlib import Path

import trustme

ROOT = Path(__file__).resolve().parents[2]
SITE = ROOT / "deploy" / "nginx" / "hamlet-line.conf"
SERVER_NAME = "hamlet.test"

MAIN_CONFIG = """
daemon off;
worker_processes 2;
pid {prefix}/nginx.pid;
error_log {prefix}/logs/error.log warn;
events {{ worker_connections 4096; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log {prefix}/logs/access.log;
    client_body_temp_path {prefix}/tmp/body;
    proxy_temp_path {prefix}/tmp/proxy;
    fastcgi_temp_path {prefix}/tmp/fastcgi;
    uwsgi_temp_path {prefix}/tmp/uwsgi;
    scgi_temp_path {prefix}/tmp/scgi;
    include {prefix}/site.conf;
}}
"""


def nginx_binary():
    """The nginx to run: $NGINX (as `make soak` passes it), found on PATH or in /usr/sbin."""
    name = os.environ.get("NGINX", "nginx")
    return shutil.which(name) or shutil.which(name, path="/usr/sbin:/sbin") or name


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def render_site(values):
    """The shipped site file with its @NAMES@ filled in from VALUES."""
    text = SITE.read_text()
    for name, value in values.items():
        text = text.replace(f"@{name}@", str(value))
    settings = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    left = re.findall(r"@[A-Z_]+@", "\n".join(settings))
    assert not left, f"placeholders left unfilled: {left}"
    return text


class NginxFront:
    """nginx on two free loopback ports in front of a gunicorn on APP_PORT."""

    def __init__(self, app_port):
        self.app_port = app_port
        self.http_port = free_port()
        self.https_port = free_port()
        self.prefix = Path(tempfile.mkdtemp(prefix="hamlet-nginx-"))
        self.process = None
        self.ca = trustme.CA()

    def _write_files(self):
        for folder in ("logs", "tmp", "static", "acme"):
            (self.prefix / folder).mkdir()
        # nginx serves static files from the app folder; a copy keeps `nobody` out of ours.
        shutil.copytree(ROOT / "static", self.prefix / "app" / "static")
        cert = self.ca.issue_cert(SERVER_NAME, "127.0.0.1")
        cert.private_key_and_cert_chain_pem.write_to_path(self.prefix / "server.pem")
        self.ca.cert_pem.write_to_path(self.prefix / "ca.pem")
        site = render_site(
            {
                "SERVER_NAME": SERVER_NAME,
                "APP_PORT": self.app_port,
                "HTTP_PORT": self.http_port,
                "HTTPS_PORT": self.https_port,
                "APP_DIR": self.prefix / "app",
                "ACME_ROOT": self.prefix / "acme",
                "LOG_DIR": self.prefix / "logs",
                "TLS_CERT": self.prefix / "server.pem",
                "TLS_KEY": self.prefix / "server.pem",
            }
        )
        # No IPv6 loopback in some sandboxes; the tests speak IPv4.
        site = "\n".join(line for line in site.splitlines() if "listen [::]" not in line)
        (self.prefix / "site.conf").write_text(site)
        (self.prefix / "nginx.conf").write_text(MAIN_CONFIG.format(prefix=self.prefix))

    def _drop_privileges(self):
        """Popen keywords that run nginx as `nobody` when we are root."""
        if os.geteuid() != 0:
            return {}
        nobody = pwd.getpwnam("nobody")
        for path in [self.prefix, *self.prefix.rglob("*")]:
            os.chown(path, nobody.pw_uid, nobody.pw_gid)
        return {"user": nobody.pw_uid, "group": nobody.pw_gid, "extra_groups": []}

    def start(self):
        self._write_files()
        command = [
            nginx_binary(),
            "-p",
            str(self.prefix),
            "-c",
            str(self.prefix / "nginx.conf"),
            "-e",
            str(self.prefix / "logs" / "error.log"),
        ]
        privileges = self._drop_privileges()
        check = subprocess.run([*command, "-t"], capture_output=True, text=True, **privileges)
        assert check.returncode == 0, check.stderr
        self.process = subprocess.Popen(
            command,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
            **privileges,
        )
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"nginx exited early:\n{self.error_log()}")
            try:
                socket.create_connection(("127.0.0.1", self.https_port), timeout=1).close()
                return self
            except OSError:
                time.sleep(0.1)
        raise TimeoutError(f"nginx did not start:\n{self.error_log()}")

    def error_log(self):
        logs = [self.prefix / "logs" / "error.log", self.prefix / "logs" / "hamlet-line.error.log"]
        return "\n".join(path.read_text() for path in logs if path.exists())

    def access_log(self):
        path = self.prefix / "logs" / "hamlet-line.access.log"
        return path.read_text() if path.exists() else ""

    def ssl_context(self):
        """A client TLS context that trusts this front's test CA."""
        return ssl.create_default_context(cafile=str(self.prefix / "ca.pem"))

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGQUIT)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=15)
        shutil.rmtree(self.prefix, ignore_errors=True)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
