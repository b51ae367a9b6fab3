"""deploy/install.sh fills every placeholder of the files it installs and checks its options."""

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
INSTALL = ROOT / "deploy" / "install.sh"


def placeholders(path):
    """The @NAMES@ used in the settings (not the comments) of a template file."""
    settings = [line for line in path.read_text().splitlines() if not line.lstrip().startswith("#")]
    return set(re.findall(r"@([A-Z_]+)@", "\n".join(settings)))


def filled_by_install():
    return set(re.findall(r"s\|@([A-Z_]+)@\|", INSTALL.read_text()))


def test_install_fills_every_placeholder_of_the_nginx_site_and_the_env_file():
    site = placeholders(ROOT / "deploy" / "nginx" / "hamlet-line.conf")
    env = placeholders(ROOT / "deploy" / "env.example")
    assert site and env
    assert site | env <= filled_by_install()


def test_the_env_file_trusts_one_proxy_hop_and_keeps_data_under_var_lib():
    lines = (ROOT / "deploy" / "env.example").read_text().splitlines()
    assert "TRUSTED_PROXIES=1" in lines
    assert "DATABASE_PATH=/var/lib/hamlet-line/hamlet-line.db" in lines


def test_install_is_valid_bash_and_refuses_to_start_without_a_server_name():
    assert subprocess.run(["bash", "-n", str(INSTALL)]).returncode == 0
    shown = subprocess.run(["bash", str(INSTALL), "--help"], capture_output=True, text=True)
    assert shown.returncode == 0 and "--server-name" in shown.stdout
    # Options are checked before anything is installed or changed.
    refused = subprocess.run(
        ["bash", str(INSTALL), "--email", "it@example.org"], capture_output=True, text=True
    )
    assert refused.returncode != 0
    assert "server-name is required" in refused.stderr or "run as root" in refused.stderr
