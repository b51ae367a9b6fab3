"""Web requests keep one connection per thread, reopened when the database file is replaced."""

import os
import sqlite3
import threading

import pytest
from flask import g

from app.ops import worker
from db import WEB_AUTOCHECKPOINT_PAGES, InUse, connect, kept, transaction


@pytest.fixture
def connections_seen(app):
    """The sqlite3 connection each request used, in order (recorded after the view ran)."""
    seen = []

    @app.after_request
    def record(response):
        seen.append(g.db.conn)
        return response

    return seen


def replace_database_with_a_copy(path, change):
    """Restore-style swap: a copy of the database, changed by CHANGE, renamed over the file."""
    copy = f"{path}.restored"
    source, target = sqlite3.connect(path), sqlite3.connect(copy)
    try:
        source.backup(target)
        change(target)
        target.commit()
        # The live WAL must hold nothing the copy lacks, as after the service stopped writing.
        source.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        source.close()
        target.close()
    os.replace(copy, path)


def test_requests_on_one_thread_reuse_one_connection(client, connections_seen):
    for _ in range(3):
        assert client.get("/healthz").status_code == 200
    assert len(connections_seen) == 3
    assert connections_seen[0] is connections_seen[1] is connections_seen[2]
    # Still open: the next request finds it ready.
    assert connections_seen[0].execute("SELECT 1").fetchone() == (1,)


def test_each_thread_has_its_own_connection(app, connections_seen):
    both_inside = threading.Barrier(2, timeout=10)

    @app.after_request
    def wait_for_the_other_thread(response):
        both_inside.wait()  # both requests hold their connection at the same moment
        return response

    def call():
        assert app.test_client().get("/healthz").status_code == 200

    threads = [threading.Thread(target=call) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(15)
    assert len(connections_seen) == 2
    assert connections_seen[0] is not connections_seen[1]


def test_web_connections_leave_wal_checkpoints_to_the_worker(app, connections_seen, twilio_post):
    path = app.config["DATABASE_PATH"]

    def text(body, phone, n):
        # The webhook only stores; answering (and its checkpoints) is the worker's.
        params = {"MessageSid": f"SM{n:032x}", "From": phone, "To": "+84000000000"}
        assert twilio_post("/sms/twilio", {**params, "Body": body}).status_code == 200

    text("HEN Tan Phu", "+84912000400", 1000)
    assert connections_seen[0].execute("PRAGMA wal_autocheckpoint").fetchone() == (
        WEB_AUTOCHECKPOINT_PAGES,
    )
    size_before = os.path.getsize(path)
    for n in range(80):
        text("LICH Tan Phu " + "x" * 400, f"+849120005{n:02d}", n)
    # Every page written so far waits in the WAL: no request copied it into the file.
    assert os.path.getsize(path) == size_before
    assert os.path.getsize(f"{path}-wal") > 0

    worker.run(app, once=True)

    assert os.path.getsize(path) > size_before


def test_a_request_after_a_restore_uses_the_restored_file(app, client, connections_seen):
    path = app.config["DATABASE_PATH"]
    assert client.get("/healthz").get_json()["outbox_backlog"] == 0

    def queue_one_message(restored):
        restored.execute(
            "INSERT INTO outbox (phone, body, kind, status, attempts, created_at, next_attempt_at)"
            " VALUES ('+84912000111', 'restored', 'answer', 'pending', 0,"
            " '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')"
        )

    replace_database_with_a_copy(path, queue_one_message)

    assert client.get("/healthz").get_json()["outbox_backlog"] == 1
    old, new = connections_seen
    assert new is not old
    with pytest.raises(sqlite3.ProgrammingError):
        old.execute("SELECT 1")  # closed, so it can never write to the replaced file


def test_a_vanished_database_is_an_error_not_a_new_empty_file(app, client):
    path = app.config["DATABASE_PATH"]
    kept.close_all()
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(path + suffix):
            os.remove(path + suffix)

    reply = client.get("/healthz")

    assert reply.status_code == 503
    assert not os.path.exists(path)


def test_a_transaction_a_request_left_open_is_rolled_back_after_it(app, client):
    @app.after_request
    def leave_a_transaction_open(response):
        g.db.conn.execute("BEGIN IMMEDIATE")
        g.db.conn.execute("INSERT INTO settings (key, value) VALUES ('left-open', '1')")
        return response

    assert client.get("/healthz").status_code == 200
    database = kept.take(app.config["DATABASE_PATH"])
    try:
        assert not database.conn.in_transaction
        with transaction(database):  # the writer lock is free again
            found = database.execute("SELECT count(*) FROM settings WHERE key = 'left-open'")
            assert found.fetchone() == (0,)
    finally:
        kept.give_back(database)


def test_a_forked_child_opens_its_own_connection_and_leaves_the_parents_alone(app):
    path = app.config["DATABASE_PATH"]
    parent = kept.take(path)
    kept.give_back(parent)
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: report, then leave without running any cleanup
        os.close(read_end)
        child = kept.take(path)
        fresh = child is not parent and child.execute("SELECT 1").fetchone() == (1,)
        os.write(write_end, b"1" if fresh else b"0")
        os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as pipe:
        answer = pipe.read()
    os.waitpid(pid, 0)
    assert answer == b"1"
    again = kept.take(path)
    try:
        assert again is parent
        assert again.execute("SELECT count(*) FROM hamlets").fetchone()[0] > 0
    finally:
        kept.give_back(again)


def test_flask_commands_and_tests_keep_their_own_connections(app, db):
    with app.app_context():
        from app.infra.database import get_db

        own = get_db()
        assert own is not db and not getattr(own, "kept", False)
    with pytest.raises(sqlite3.ProgrammingError):
        own.conn.execute("SELECT 1")  # closed with its app context
    assert connect(app.config["DATABASE_PATH"]).execute("SELECT 1").fetchone() == (1,)


def test_a_request_nested_in_another_on_the_same_thread_is_refused_its_connection(app):
    # Nothing nests requests any more (the simulator calls the channels' functions); a
    # nested one would share the outer one's transaction, so storage refuses it.
    path = app.config["DATABASE_PATH"]
    outer = kept.take(path)
    try:
        with pytest.raises(InUse):
            kept.take(path)
        assert not outer.conn.in_transaction
    finally:
        kept.give_back(outer)
    again = kept.take(path)  # given back, it is the thread's to take again
    kept.give_back(again)
    assert again is outer
