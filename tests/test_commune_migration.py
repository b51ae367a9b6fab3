"""Migrating a single-commune database: everything becomes commune 1 and nothing is lost.

The database is built by the code of the main branch before communes existed (its own
migrations, seed and demo data, taken from git), then migrated by this tree.
"""

import os
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from db import connect, migrate
from db.migrations.m0018_communes import SCOPED_TABLES

ROOT = Path(__file__).resolve().parents[1]
# The last commit of main before the communes migration.
SINGLE_COMMUNE_COMMIT = "6b1ee05"
PER_COMMUNE_KEYS = {"settings", "dialogue_state", "gateway_state"}


def _old_tree(tmp_path):
    """Check out the single-commune code into TMP_PATH/old, or skip when git cannot."""
    archive = tmp_path / "old.tar"
    try:
        subprocess.run(
            ["git", "-C", str(ROOT), "archive", "-o", str(archive), SINGLE_COMMUNE_COMMIT],
            check=True,
            capture_output=True,
        )
    except (OSError, subprocess.CalledProcessError) as exc:
        pytest.skip(f"the single-commune commit is not in this checkout: {exc}")
    target = tmp_path / "old"
    with tarfile.open(archive) as tar:
        tar.extractall(target, filter="data")
    return target


def _build_single_commune_db(tmp_path):
    """A database migrated, seeded and filled with demo data by the single-commune code."""
    old = _old_tree(tmp_path)
    path = tmp_path / "single.db"
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("TWILIO_", "SMS_", "COMMUNE_", "DATABASE_"))
    }
    env.update(
        DATABASE_PATH=str(path),
        SECRET_KEY="migration-test",
        TWILIO_FROM_NUMBER="+842773000111",
        COMMUNE_NAME="Xa Phu Lam",
        PYTHONPATH=str(old),
    )
    for command in (["init-db"], ["seed", "--demo"]):
        subprocess.run(
            [sys.executable, "-m", "flask", "--app", "wsgi", *command],
            cwd=old,
            env=env,
            check=True,
            capture_output=True,
            timeout=300,
        )
    # Rows the demo does not make: messages, a call, a menu in progress, a gateway heartbeat,
    # an API key, an audit line and a staff user.
    db = connect(path)
    with db.conn:
        db.execute(
            "INSERT INTO dialogue_state (phone, state, data, updated_at, expires_at)"
            " VALUES ('+84912345678', 'visit_hamlet', '{}', '2027-03-01T03:00:00Z',"
            " '2027-03-01T09:00:00Z')"
        )
        db.execute("UPDATE gateway_state SET last_seen_at = '2027-03-01T03:00:00Z' WHERE id = 1")
        db.execute(
            "INSERT INTO messages (direction, provider, provider_id, dedupe_key, phone,"
            " resident_id, body, status, request_id, created_at) VALUES ('in', 'twilio',"
            " 'SM1', 'twilio:SM1', '+84912345678', 1, 'HEN', 'replied', 1,"
            " '2027-03-01T03:00:00Z')"
        )
        db.execute(
            "INSERT INTO outbox (phone, body, kind, request_id, dedupe_key, status, created_at)"
            " VALUES ('+84912345678', 'Xa Phu Lam: da nhan', 'answer', 1, 'answer:1', 'sent',"
            " '2027-03-01T03:00:01Z')"
        )
        db.execute(
            "INSERT INTO calls (call_sid, phone, resident_id, direction, status, started_at)"
            " VALUES ('CA1', '+84912345678', 1, 'inbound', 'completed', '2027-03-01T03:00:00Z')"
        )
        db.execute(
            "INSERT INTO callbacks (phone, request_id, requested_by, created_at)"
            " VALUES ('+84912345678', 1, 'voice', '2027-03-01T03:00:00Z')"
        )
        db.execute(
            "INSERT INTO api_keys (name, prefix, key_hash, created_at)"
            " VALUES ('partner', 'abcd', 'f00d', '2027-03-01T03:00:00Z')"
        )
        db.execute(
            "INSERT INTO audit_log (at, actor, action, target)"
            " VALUES ('2027-03-01T03:00:00Z', 'lan', 'setting', 'office_phone')"
        )
        db.execute(
            "INSERT INTO staff_users (username, password_hash, role, created_at)"
            " VALUES ('lan', 'x', 'admin', '2027-03-01T03:00:00Z')"
        )
    db.conn.close()
    return path


def _snapshot(path):
    """Every row of every table, by table name, in rowid (or key) order."""
    db = connect(path)
    try:
        tables = {}
        for table in db.table_names():
            if table.startswith(("_sqlite", "sqlite_")):
                continue
            tables[table] = list(db[table].rows)
        return tables
    finally:
        db.conn.close()


@pytest.fixture(scope="module")
def migrated(tmp_path_factory, monkeypatch_module):
    """(rows before, rows after) migrating a single-commune demo database."""
    tmp_path = tmp_path_factory.mktemp("migration")
    path = _build_single_commune_db(tmp_path)
    before = _snapshot(path)
    migrate(path)
    return before, _snapshot(path)


@pytest.fixture(scope="module")
def monkeypatch_module():
    """A monkeypatch for the module: the migration reads the single-commune environment."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("COMMUNE_NAME", "Xa Phu Lam")
        patch.setenv("TIMEZONE", "Asia/Ho_Chi_Minh")
        yield patch


def _key(row):
    """A sort key for rows of any table."""
    return repr(sorted((k, repr(v)) for k, v in row.items()))


def test_every_row_survives_and_belongs_to_commune_one(migrated):
    before, after = migrated
    for table in ("requests", "residents", "messages", "outbox", "calls", "trips", "settings"):
        assert before[table], table
    for table, old_rows in before.items():
        assert table in after, table
        columns = set(old_rows[0]) if old_rows else set()
        kept = [{name: row[name] for name in columns} for row in after[table]]
        assert sorted(kept, key=_key) == sorted(old_rows, key=_key), table
        if table in SCOPED_TABLES or table in PER_COMMUNE_KEYS:
            assert {row["commune_id"] for row in after[table]} <= {1}, table


def test_the_first_commune_comes_from_the_single_commune_defaults(migrated):
    _before, after = migrated
    assert after["communes"] == [
        {
            "id": 1,
            "code": "PHULAM",
            "name": "Xã Phú Lâm",
            "sms_prefix": "Xa Phu Lam",
            "spoken_name": "Xã Phú Lâm",
            "agency": "UBND xã Phú Lâm",
            "timezone": "Asia/Ho_Chi_Minh",
            "jurisdiction_id": "phulam",
            "office_address": "",
            "office_phone": "",
            "created_at": after["communes"][0]["created_at"],
        }
    ]
    kinds = [
        (row["id"], row["kind"], row["address"], row["is_default"]) for row in after["channels"]
    ]
    assert kinds == [(1, "gateway", "default", 1), (2, "twilio", None, 1), (3, "console", None, 1)]


def test_staff_become_members_of_the_first_commune_with_their_role(migrated):
    before, after = migrated
    members = {(row["user_id"], row["commune_id"], row["role"]) for row in after["memberships"]}
    assert members == {(user["id"], 1, user["role"]) for user in before["staff_users"]}
    assert {user["province"] for user in after["staff_users"]} == {0}
