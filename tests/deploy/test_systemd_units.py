"""The shipped systemd units pass `systemd-analyze verify` and keep their hardening."""

import configparser
import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
UNITS = sorted((ROOT / "deploy" / "systemd").glob("*.service"))
pytestmark = pytest.mark.slow


def systemd_analyze():
    name = os.environ.get("SYSTEMD_ANALYZE", "systemd-analyze")
    return shutil.which(name) or shutil.which(name, path="/usr/bin:/bin") or name


@pytest.fixture
def system_root(tmp_path):
    """A root folder with this machine's system units and the programs the units start."""
    root = tmp_path / "root"
    shutil.copytree("/usr/lib/systemd/system", root / "usr/lib/systemd/system", symlinks=True)
    bin_dir = root / "opt/hamlet-line/.venv/bin"
    bin_dir.mkdir(parents=True)
    for program in ("gunicorn", "flask", "litestream"):
        (bin_dir / program).write_text("#!/bin/sh\n")
        (bin_dir / program).chmod(0o755)
    # ExecReload sends the signal with kill, found through merged /usr as on Debian.
    (root / "usr/bin").mkdir()
    shutil.copy(shutil.which("kill") or "/usr/bin/kill", root / "usr/bin/kill")
    (root / "bin").symlink_to("usr/bin")
    (root / "etc/systemd/system").mkdir(parents=True)
    (root / "etc/hamlet-line").mkdir(parents=True)
    shutil.copy(ROOT / "deploy/env.example", root / "etc/hamlet-line/env")
    for unit in UNITS:
        shutil.copy(unit, root / "etc/systemd/system" / unit.name)
    return root


def test_there_are_units_for_the_web_server_the_worker_and_litestream():
    assert [unit.name for unit in UNITS] == [
        "hamlet-line-litestream.service",
        "hamlet-line-web.service",
        "hamlet-line-worker.service",
    ]


@pytest.mark.parametrize("unit", UNITS, ids=lambda unit: unit.name)
def test_systemd_analyze_verifies_the_unit_without_a_warning(system_root, unit):
    done = subprocess.run(
        [
            systemd_analyze(),
            f"--root={system_root}",
            "verify",
            str(system_root / "etc/systemd/system" / unit.name),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout + done.stderr == ""


@pytest.mark.parametrize("unit", UNITS, ids=lambda unit: unit.name)
def test_each_unit_restarts_always_as_its_own_user_in_a_locked_down_system(unit):
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str
    parser.read(unit)
    service = parser["Service"]
    assert service["Restart"] == "always"
    assert service["User"] == "hamlet-line"
    assert service["EnvironmentFile"] == "/etc/hamlet-line/env"
    assert service["ProtectSystem"] == "strict"
    assert service["PrivateTmp"] == "yes"
    assert service["NoNewPrivileges"] == "yes"
    assert service["ReadWritePaths"] == "/var/lib/hamlet-line"
