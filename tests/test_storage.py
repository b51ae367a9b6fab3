import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

from app.seed.loader import HAMLETS, seed
from app.seed.procedures import PROCEDURES
from db import connect, migrate, transaction
from db.migrations import migrations


def snapshot(path):
    """Every table's schema and row count."""
    db = connect(path)
    try:
        return {table.name: (table.schema, table.count) for table in db.tables}
    finally:
        db.conn.close()


def test_init_db_twice_changes_nothing(tmp_path):
    path = tmp_path / "x.db"
    first = migrate(path)
    assert first == [m.name for m in migrations._migrations]
    before = snapshot(path)
    assert migrate(path) == []
    assert snapshot(path) == before


# The names a database records as applied: a rename or reorder would re-run a step on it.
SHIPPED_MIGRATIONS = [
    "0001_wal",
    "0002_core_schema",
    "0003_trips_per_rule",
    "0004_trips_who",
    "0005_staff_queue_indexes",
    "0006_outbox_reply_to",
    "0007_perf_catalog_version",
    "0008_audit_log",
    "0009_procedure_spoken_forms",
    "0010_console_field_mode",
    "0011_nlu_corrections",
    "0012_request_attention",
    "0013_staff_sessions",
    "0014_callback_per_missed_call",
    "0015_rate_hits",
    "0016_outbox_attempts",
    "0017_gateway_watch",
]


def test_migrations_keep_their_shipped_names_and_apply_in_number_order():
    names = [m.name for m in migrations._migrations]
    assert names[: len(SHIPPED_MIGRATIONS)] == SHIPPED_MIGRATIONS
    assert names == sorted(names) and len(set(names)) == len(names)


def test_database_uses_wal(tmp_path):
    path = tmp_path / "x.db"
    migrate(path)
    db = connect(path)
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    db.conn.close()


def test_concurrent_init_db_processes_do_not_race(tmp_path):
    path = tmp_path / "race.db"
    code = "import sys; from db import migrate; migrate(sys.argv[1])"
    procs = [
        subprocess.Popen([sys.executable, "-c", code, str(path)], stderr=subprocess.PIPE)
        for _ in range(4)
    ]
    errors = [proc.communicate()[1].decode() for proc in procs]
    assert [proc.returncode for proc in procs] == [0, 0, 0, 0], errors
    db = connect(path)
    names = [row["name"] for row in db["_sqlite_migrations"].rows]
    assert sorted(names) == sorted(m.name for m in migrations._migrations)
    db.conn.close()


def test_seed_is_idempotent_and_loads_the_reference_data(app, db):
    with app.app_context():
        seed(db, demo=True)
        before = {table.name: list(table.rows) for table in db.tables if table.name != "jobs"}
        seed(db, demo=True)
        after = {table.name: list(table.rows) for table in db.tables if table.name != "jobs"}
    assert after == before
    # --demo also seeds a second commune; the reference hamlets are the first commune's.
    first_commune = db["hamlets"].rows_where("commune_id = 1", order_by="route_order")
    assert [row["name"] for row in first_commune] == [name for name, _old, _src in HAMLETS]
    assert db["procedures"].count == len(PROCEDURES) >= 12
    assert db["schedule_rules"].count_where("commune_id = 1") == 2
    assert db.execute("SELECT count(*) FROM requests WHERE source_key LIKE 'demo:%'").fetchone()[0]


def test_seed_keeps_staff_edits(app, db):
    with app.app_context():
        db["hamlets"].update(1, {"name": "Phú Hòa A (đã sửa)"})
        seed(db)
    assert db["hamlets"].get(1)["name"] == "Phú Hòa A (đã sửa)"


def test_transaction_rolls_back_on_error(db):
    try:
        with transaction(db):
            db["settings"].insert({"key": "x", "value": "1"})
            raise RuntimeError("boom")
    except RuntimeError:
        pass
    assert db["settings"].count_where("key = 'x'") == 0


def test_nested_transactions_use_savepoints(db):
    with transaction(db):
        db["settings"].insert({"key": "outer", "value": "1"})
        try:
            with transaction(db):
                db["settings"].insert({"key": "inner", "value": "1"})
                raise ValueError
        except ValueError:
            pass
    keys = {row["key"] for row in db["settings"].rows}
    assert "outer" in keys and "inner" not in keys


def test_writers_in_threads_do_not_hit_database_is_locked(app):
    path = app.config["DATABASE_PATH"]

    def write(n):
        db = connect(path)
        try:
            for i in range(20):
                with transaction(db):
                    count = db.execute("SELECT count(*) FROM settings").fetchone()[0]
                    db["settings"].insert({"key": f"thread-{n}-{i}", "value": str(count)})
        finally:
            db.conn.close()

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(write, range(8)))
    db = connect(path)
    assert (
        db.execute("SELECT count(*) FROM settings WHERE key LIKE 'thread-%'").fetchone()[0] == 160
    )
    db.conn.close()
