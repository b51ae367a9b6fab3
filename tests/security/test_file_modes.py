"""Files holding residents' data and the secrets are readable by the service's user only."""

import stat
from pathlib import Path

from app.infra import config
from db import connect, transaction


def mode(path):
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_instance_folder_and_its_secrets_are_owner_only(tmp_path):
    instance = tmp_path / "instance"
    settings = config.from_environment(str(instance), env={})
    assert mode(instance) == 0o700
    assert mode(instance / "secret_key") == 0o600
    assert mode(instance / "twilio_auth_token") == 0o600
    assert settings["DATABASE_PATH"] == str(instance / "hamlet-line.db")


def test_an_existing_world_readable_instance_folder_is_closed(tmp_path):
    instance = tmp_path / "instance"
    instance.mkdir(mode=0o755)
    instance.chmod(0o755)
    config.from_environment(str(instance), env={"SECRET_KEY": "k", "TWILIO_AUTH_TOKEN": "t"})
    assert mode(instance) == 0o700


def test_the_database_its_wal_and_shm_files_are_owner_only(app, runner, tmp_path):
    path = tmp_path / "data" / "fresh.db"
    path.parent.mkdir()
    app.config["DATABASE_PATH"] = str(path)
    assert runner.invoke(args=["init-db"]).exit_code == 0
    db = connect(path)
    try:
        with transaction(db):
            db.execute("INSERT INTO settings (key, value) VALUES ('probe', 'x')")
        files = [path, path.with_name("fresh.db-wal"), path.with_name("fresh.db-shm")]
        assert {file.name: mode(file) for file in files} == {file.name: 0o600 for file in files}
    finally:
        db.conn.close()


def test_an_upgrade_closes_a_database_left_world_readable(app, runner):
    path = Path(app.config["DATABASE_PATH"])
    path.chmod(0o644)
    assert runner.invoke(args=["init-db"]).exit_code == 0
    assert mode(path) == 0o600


def test_the_backup_copy_is_owner_only(runner, tmp_path):
    target = tmp_path / "backup.db"
    result = runner.invoke(args=["backup", str(target)])
    assert result.exit_code == 0, result.output
    assert mode(target) == 0o600


def test_a_backup_into_a_missing_folder_says_so_without_a_traceback(runner, tmp_path):
    result = runner.invoke(args=["backup", str(tmp_path / "no-such-folder" / "backup.db")])
    assert result.exit_code == 1
    assert "no folder" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "no-such-folder").exists()
