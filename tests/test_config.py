import subprocess
import sys

from app.infra import config


def test_embedded_defaults_follow_the_contract(tmp_path):
    values = config.from_environment(tmp_path, env={})
    assert values["DATABASE_PATH"] == str(tmp_path / "hamlet-line.db")
    assert values["PUBLIC_BASE_URL"] == "http://127.0.0.1:8000"
    assert values["SMS_TRANSPORT"] == "console"
    assert values["COMMUNE_NAME"] == "Xa Phu Lam"
    assert values["TIMEZONE"] == "Asia/Ho_Chi_Minh"
    assert values["SIMULATOR"] is True
    assert len(values["SECRET_KEY"]) == 64
    assert values["TWILIO_AUTH_TOKEN"] != values["SECRET_KEY"]


def test_secrets_are_generated_once_and_kept(tmp_path):
    first = config.from_environment(tmp_path, env={})
    second = config.from_environment(tmp_path, env={})
    assert first["SECRET_KEY"] == second["SECRET_KEY"]
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_environment_overrides_defaults(tmp_path):
    values = config.from_environment(
        tmp_path,
        env={"PORT": "9000", "SMS_TRANSPORT": "twilio", "PUBLIC_BASE_URL": "https://x.vn/"},
    )
    assert values["PUBLIC_BASE_URL"] == "https://x.vn"
    assert values["SIMULATOR"] is False
    assert config.from_environment(tmp_path, env={"SMS_TRANSPORT": "twilio", "SIMULATOR": "1"})[
        "SIMULATOR"
    ]


def test_workers_starting_together_agree_on_one_secret(tmp_path):
    code = (
        "import sys; from app.infra.config import from_environment; "
        "print(from_environment(sys.argv[1], env={})['SECRET_KEY'])"
    )
    procs = [
        subprocess.Popen([sys.executable, "-c", code, str(tmp_path)], stdout=subprocess.PIPE)
        for _ in range(6)
    ]
    keys = {proc.communicate()[0].decode().strip() for proc in procs}
    assert len(keys) == 1 and len(keys.pop()) == 64
