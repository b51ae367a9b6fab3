"""The writer lock file: write transactions queue on flock and always give it back."""

import fcntl
import os
import sqlite3
import threading

import pytest
from flask import g

from app import residents
from app.delivery import messages
from app.infra.database import close_db, get_db
from db import connect, release_writer_lock_file, transaction


def lock_is_free(path):
    """Try to take the writer lock through a separate open of the file, as another worker would."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    else:
        fcntl.flock(fd, fcntl.LOCK_UN)
        return True
    finally:
        os.close(fd)


def test_a_write_transaction_holds_the_lock_file_beside_the_database(db):
    path = db.writer_lock_path
    assert path == f"{db.conn.execute('PRAGMA database_list').fetchone()[2]}-writer.lock"
    with transaction(db):
        assert not lock_is_free(path)
        db.execute("INSERT INTO settings (key, value) VALUES ('lock-test', '1')")
    assert lock_is_free(path)
    assert db.execute("SELECT value FROM settings WHERE key = 'lock-test'").fetchone() == ("1",)


def test_the_lock_is_given_back_when_the_transaction_rolls_back(db):
    with pytest.raises(RuntimeError), transaction(db):
        db.execute("INSERT INTO settings (key, value) VALUES ('lock-test', '1')")
        raise RuntimeError("boom")
    assert lock_is_free(db.writer_lock_path)
    assert db.execute("SELECT count(*) FROM settings WHERE key = 'lock-test'").fetchone() == (0,)


def test_a_nested_transaction_is_a_savepoint_under_the_same_lock(db):
    with transaction(db):
        with transaction(db):
            db.execute("INSERT INTO settings (key, value) VALUES ('inner', '1')")
        assert not lock_is_free(db.writer_lock_path)
    assert lock_is_free(db.writer_lock_path)
    assert db.execute("SELECT value FROM settings WHERE key = 'inner'").fetchone() == ("1",)


def test_a_writer_waits_for_the_lock_and_goes_once_it_is_free(db, app):
    other = connect(app.config["DATABASE_PATH"])
    started, done = threading.Event(), threading.Event()

    def write_in_other_thread():
        started.set()
        with transaction(other):
            other.execute("INSERT INTO settings (key, value) VALUES ('second', '1')")
        done.set()

    try:
        with transaction(db):
            thread = threading.Thread(target=write_in_other_thread)
            thread.start()
            started.wait(5)
            assert not done.wait(0.2)  # queued behind us, not failing with "locked"
            db.execute("INSERT INTO settings (key, value) VALUES ('first', '1')")
        thread.join(10)
        assert done.is_set()
    finally:
        other.conn.close()
        release_writer_lock_file(other)
    keys = [
        row[0]
        for row in db.execute(
            "SELECT key FROM settings WHERE key IN ('first', 'second') ORDER BY rowid"
        )
    ]
    assert keys == ["first", "second"]


def test_a_second_connection_in_the_same_thread_does_not_wait_for_its_own_lock(db, app):
    other = connect(app.config["DATABASE_PATH"])
    other.conn.execute("PRAGMA busy_timeout = 50")
    try:
        with transaction(db):
            # Without the per-thread check this would block on flock for ever; SQLite's
            # own busy timeout answers instead, as it did before the lock file existed.
            with pytest.raises(sqlite3.OperationalError, match="locked"), transaction(other):
                pass
    finally:
        other.conn.close()
        release_writer_lock_file(other)


def test_teardown_closes_the_connection_and_its_lock_file(app):
    with app.app_context():
        database = get_db()
        with transaction(database):
            pass
        assert g.db is database and database.writer_lock_close.alive
        close_db()
    assert not database.writer_lock_close.alive
    with pytest.raises(sqlite3.ProgrammingError):
        database.conn.execute("SELECT 1")


def test_a_message_stored_but_not_answered_is_answered_when_the_provider_retries(db, text_in):
    # The process died between storing the message and answering it (or a retry arrived
    # while the first delivery was still working): the retry must answer, not send nothing.
    sid = "SM" + "c" * 32
    resident = residents.find_or_create(db, "+84912000301")
    inbound, created = messages.record_inbound(
        db,
        provider="twilio",
        provider_id=sid,
        dedupe_key=f"twilio:{sid}",
        phone="+84912000301",
        body="HEN Tan Phu",
        resident_id=resident["id"],
    )
    assert created and inbound["intent"] is None
    [reply] = text_in("HEN Tan Phu", phone="+84912000301", sid=sid)
    assert reply.startswith("Xa Phu Lam: ")
    assert messages.get(db, inbound["id"])["intent"] == "visit"
    assert text_in("HEN Tan Phu", phone="+84912000301", sid=sid) == [reply]
    count = db.execute("SELECT count(*) FROM requests WHERE resident_id = ?", [resident["id"]])
    assert count.fetchone() == (1,)
