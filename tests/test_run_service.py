"""`make run`'s service script: a worker that dies is started again, the web server stays up."""

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from bench.harness import ROOT, children_of, free_port, prepare_database, service_env


def health(base_url):
    with urllib.request.urlopen(base_url + "/healthz", timeout=2) as reply:
        return reply.status, json.loads(reply.read())


def outbox_worker_pids(script_pid):
    """Pids of `flask --app wsgi worker` processes under the service script."""
    found, frontier = [], [script_pid]
    while frontier:
        pid = frontier.pop()
        for child in children_of(pid):
            frontier.append(child)
            try:
                command = Path(f"/proc/{child}/cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if b"worker" in command and b"flask" in b" ".join(command):
                found.append(child)
    return found


def wait_for(condition, seconds=30.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError("condition not met in time")


def test_a_killed_worker_is_restarted_while_the_web_server_keeps_answering(tmp_path):
    port = free_port()
    env = service_env(tmp_path / "service.db", port, VENV_BIN=Path(sys.executable).parent)
    env["WORKER_RESTART_DELAY"] = "1"
    prepare_database(env)
    base_url = f"http://127.0.0.1:{port}"
    log = open(tmp_path / "service.log", "w")  # noqa: SIM115 - closed below
    script = subprocess.Popen(
        ["bash", "bin/run-service"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        first = wait_for(lambda: outbox_worker_pids(script.pid))
        wait_for(lambda: _answers(base_url) and health(base_url)[1]["status"] == "ok")
        os.kill(first[0], signal.SIGKILL)
        # The web server answers throughout, and a new worker takes over.
        second = wait_for(lambda: [p for p in outbox_worker_pids(script.pid) if p not in first])
        assert health(base_url)[0] == 200
        before = health(base_url)[1]["worker"]["heartbeat"]
        wait_for(lambda: health(base_url)[1]["worker"]["heartbeat"] != before)
        assert script.poll() is None
        assert len(second) == 1
    finally:
        os.killpg(script.pid, signal.SIGTERM)
        script.wait(timeout=30)
        log.close()
    text = (tmp_path / "service.log").read_text()
    assert "worker exited with status 137; starting it again" in text


def _answers(base_url):
    try:
        return health(base_url)[0] == 200
    except OSError:
        return False
