import sqlite3

from app.accounts import apikeys, users
from db import connect


def test_healthz_reports_database_backlog_and_a_worker_that_never_reported(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {
        "status": "degraded",
        "database": "ok",
        "outbox_backlog": 0,
        "outbox_failed": 0,
        "worker": {
            "heartbeat": None,
            "heartbeat_age_seconds": None,
            "oldest_due_seconds": None,
            "oldest_unanswered_seconds": None,
            "problems": ["the worker has not reported yet"],
        },
    }


def test_healthz_says_when_a_stored_sms_waits_a_minute_for_its_answer(client, twilio_post):
    import datetime as dt

    import time_machine

    params = {"MessageSid": "SM" + "c" * 32, "From": "+84912000111", "To": "+84000000000"}
    assert twilio_post("/sms/twilio", {**params, "Body": "LICH"}).status_code == 200
    assert client.get("/healthz").get_json()["worker"]["oldest_unanswered_seconds"] < 60
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(seconds=90)):
        worker = client.get("/healthz").get_json()["worker"]
    assert worker["oldest_unanswered_seconds"] >= 90
    assert any("waited" in problem and "answer" in problem for problem in worker["problems"])


def test_healthz_is_503_when_the_database_is_unreachable(app, tmp_path):
    app.config["DATABASE_PATH"] = str(tmp_path / "missing-dir" / "nope.db")
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["database"] == "unreachable"


def test_init_db_command_is_idempotent(runner):
    result = runner.invoke(args=["init-db"])
    assert result.exit_code == 0
    assert "up to date" in result.output


def test_create_user_command_hashes_the_password(runner, app):
    result = runner.invoke(
        args=["create-user", "lan", "--role", "admin", "--password", "s3cret-long!"]
    )
    assert result.exit_code == 0, result.output
    db = connect(app.config["DATABASE_PATH"])
    user = users.by_username(db, "lan")
    assert user["role"] == "admin"
    assert user["password_hash"] != "s3cret-long!"
    assert users.check_password(db, "lan", "s3cret-long!")["id"] == user["id"]
    assert users.check_password(db, "lan", "wrong") is None
    again = runner.invoke(args=["create-user", "lan", "--password", "another-long-one"])
    assert again.exit_code != 0 and "already exists" in again.output


def test_api_key_create_prints_a_key_stored_only_as_a_hash(runner, app):
    result = runner.invoke(args=["api-key", "create", "kiosk"])
    assert result.exit_code == 0
    key = result.output.strip()
    db = connect(app.config["DATABASE_PATH"])
    stored = list(db["api_keys"].rows)
    assert len(stored) == 1 and stored[0]["name"] == "kiosk"
    assert key not in str(stored)
    assert apikeys.verify(db, key)["name"] == "kiosk"
    assert apikeys.verify(db, key + "x") is None


def test_ensure_admin_creates_the_first_admin_once(runner):
    first = runner.invoke(args=["ensure-admin"])
    assert "admin /" in first.output
    second = runner.invoke(args=["ensure-admin"])
    assert "exists already" in second.output


def test_seed_command_with_demo(runner, app):
    result = runner.invoke(args=["seed", "--demo"])
    assert result.exit_code == 0, result.output
    db = connect(app.config["DATABASE_PATH"])
    assert db["residents"].count >= 6


def test_backup_makes_a_consistent_copy(runner, tmp_path):
    target = tmp_path / "backup.db"
    result = runner.invoke(args=["backup", str(target)])
    assert result.exit_code == 0, result.output
    copy = sqlite3.connect(target)
    assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert copy.execute("SELECT count(*) FROM hamlets").fetchone()[0] == 10
    copy.close()
