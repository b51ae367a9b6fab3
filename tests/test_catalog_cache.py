"""The per-process catalogue cache: every edit, from any process, is seen by the next message."""

import subprocess
import sys

from app.catalogue import guidance, hamlets
from app.seed.loader import seed
from db import cache, connect, transaction


def hamlet_of_visit(db, phone):
    """Return the hamlet code of the home visit opened for PHONE, or None."""
    row = db.execute(
        "SELECT hamlets.code FROM requests JOIN residents ON residents.id = requests.resident_id "
        "JOIN hamlets ON hamlets.id = requests.hamlet_id WHERE residents.phone = ?",
        [phone],
    ).fetchone()
    return row[0] if row else None


def test_a_hamlet_renamed_by_another_process_is_recognised_by_the_next_sms(app, text_in, db):
    # Warm this process's cache with the old name first.
    text_in("HEN Phu Hoa A", phone="+84912000201")
    assert hamlet_of_visit(db, "+84912000201") == "PHUHOAA"
    # Another worker is another process: it shares nothing with this one but the file.
    script = (
        "import sqlite3, sys\n"
        "conn = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
        "conn.execute(\"UPDATE hamlets SET name = 'Phú Hòa Mới', code = 'PHUHOAMOI' "
        "WHERE code = 'PHUHOAA'\")\n"
    )
    subprocess.run([sys.executable, "-c", script, app.config["DATABASE_PATH"]], check=True)
    [reply] = text_in("HEN Phu Hoa Moi", phone="+84912000202")
    assert hamlet_of_visit(db, "+84912000202") == "PHUHOAMOI"
    assert "Phu Hoa Moi" in reply


def test_a_hamlet_added_on_the_settings_page_is_offered_by_the_next_sms(admin_client, db, text_in):
    before = hamlets.active(db)
    assert "PHUMY" not in {row["code"] for row in before}
    admin_client.post(
        "/settings/hamlets", data={"name": "Phú Mỹ", "route_order": "1", "active": "1"}
    )
    assert "PHUMY" in {row["code"] for row in hamlets.active(db)}
    text_in("HEN Phu My", phone="+84912000203")
    assert hamlet_of_visit(db, "+84912000203") == "PHUMY"


def test_a_text_saved_in_the_catalogue_is_sent_by_the_next_sms(admin_client, db, text_in):
    # Keywords are the province's; a commune's edit is its own texts, seen by the next SMS.
    procedure = guidance.get(db, "SAOY")
    steps, _documents = text_in("SAOY", phone="+84912000204")
    assert "NHANBAN" not in steps
    form = {
        "name": procedure["name"],
        "summary": procedure["summary"] or "",
        "steps": "\n".join(procedure["steps"]),
        "documents": "\n".join(procedure["documents"]),
        "sms_steps": "Mang ban chinh NHANBAN den xa.",
        "sms_documents": procedure["sms_documents"],
        "action": "save",
    }
    admin_client.post("/catalogue/SAOY", data=form)
    steps, documents = text_in("SAOY", phone="+84912000205")
    saved = guidance.get(db, "SAOY")
    assert "NHANBAN" in steps
    assert (steps, documents) == (guidance.sms_steps(saved), guidance.sms_documents(saved))


def test_a_settings_row_changed_in_sql_takes_effect_at_once(db):
    assert cache.setting(db, "sms_rate_limit", None, 1) == "10/600"
    db.execute("UPDATE settings SET value = '3/60' WHERE key = 'sms_rate_limit'")
    assert cache.setting(db, "sms_rate_limit", None, 1) == "3/60"
    db.execute("DELETE FROM settings WHERE key = 'sms_rate_limit'")
    assert cache.setting(db, "sms_rate_limit", "default", 1) == "default"


def test_guidance_save_and_the_seed_change_the_catalogue_version(db):
    versions = [cache.version(db)]
    procedure = dict(guidance.get(db, "SAOY"), name="Sao y (mới)")
    with transaction(db):
        guidance.save(db, procedure)
    versions.append(cache.version(db))
    assert guidance.get(db, "SAOY")["name"] == "Sao y (mới)"
    db.execute("DELETE FROM settings WHERE key = 'reminder_time'")
    assert cache.setting(db, "reminder_time", None, 1) is None
    seed(db)
    versions.append(cache.version(db))
    assert cache.setting(db, "reminder_time", None, 1) == "17:00"
    assert len(set(versions)) == 3


def test_an_edit_rolled_back_leaves_no_trace_in_the_cache(db):
    assert guidance.get(db, "SAOY")["name"] != "Tạm"
    try:
        with transaction(db):
            db.execute("UPDATE procedures SET name = 'Tạm' WHERE code = 'SAOY'")
            assert guidance.get(db, "SAOY")["name"] == "Tạm"
            raise RuntimeError("staff pressed cancel")
    except RuntimeError:
        pass
    assert guidance.get(db, "SAOY")["name"] != "Tạm"


def test_two_databases_in_one_process_never_share_entries(db, tmp_path):
    from db import migrate

    other_path = tmp_path / "other.db"
    migrate(other_path)
    other = connect(other_path)
    try:
        seed(other)
        other.execute("UPDATE hamlets SET name = 'Chỉ ở đây' WHERE code = 'PHUHOAA'")
        assert cache.version(other) != cache.version(db)
        names = {row["name"] for row in hamlets.active(db)}
        other_names = {row["name"] for row in hamlets.active(other)}
        assert "Chỉ ở đây" in other_names and "Chỉ ở đây" not in names
    finally:
        other.conn.close()


def test_two_databases_at_the_same_token_still_keep_their_own_entries(db, tmp_path):
    # The token alone does not say which database an entry came from (a copy, a restore).
    from db import migrate

    other_path = tmp_path / "copy.db"
    migrate(other_path)
    other = connect(other_path)
    try:
        seed(other)
        other.execute("UPDATE hamlets SET name = 'Chỉ ở đây' WHERE code = 'PHUHOAA'")
        names = {row["name"] for row in hamlets.active(db)}
        other.execute("UPDATE catalog_version SET version = ?", [cache.version(db)])
        assert cache.version(other) == cache.version(db)
        other_names = {row["name"] for row in hamlets.active(other)}
        assert "Chỉ ở đây" in other_names and "Chỉ ở đây" not in names
    finally:
        other.conn.close()


def test_every_catalogue_table_has_insert_update_and_delete_triggers(db):
    names = {
        row[0]
        for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall()
    }
    expected = {
        f"catalog_changed_{table}_{event}"
        for table in ("hamlets", "procedures", "settings")
        for event in ("insert", "update", "delete")
    }
    assert expected <= names
