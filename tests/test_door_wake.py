"""The webhook's wake-up: a datagram to each worker's unix socket beside the database."""

import os

from app.infra import wake


def test_a_stored_message_wakes_every_listening_worker_at_once(tmp_path):
    path = str(tmp_path / "hamlet.db")
    first, second = wake.Listener(path), wake.Listener(path)
    try:
        assert first.wait(0.01) is False  # nothing stored yet: the short poll runs out
        wake.notify(path)
        assert first.wait(5) is True and second.wait(5) is True
        wake.notify(path)
        wake.notify(path)
        assert first.wait(5) is True
        assert first.wait(0.01) is False  # the wake-ups that piled up were drained together
    finally:
        first.close()
        second.close()
    assert os.listdir(wake.folder(path)) == []


def test_a_dead_worker_s_socket_is_removed_and_the_others_still_woken(tmp_path):
    path = str(tmp_path / "hamlet.db")
    alive = wake.Listener(path)
    dead = wake.Listener(path)
    dead.socket.close()  # killed: its file stays behind, nobody reads it
    wake._listing.clear()
    try:
        wake.notify(path)
        assert alive.wait(5) is True
        assert not os.path.exists(dead.path)
    finally:
        alive.close()


def test_a_deep_database_path_gets_a_short_socket_folder(tmp_path):
    deep = tmp_path.joinpath(*["folder-with-a-long-name"] * 5) / "hamlet.db"
    folder = wake.folder(str(deep))
    assert len(folder) <= 80 and folder == wake.folder(str(deep))
    listener = wake.Listener(str(deep))
    try:
        wake.notify(str(deep))
        assert listener.wait(5) is True
    finally:
        listener.close()


def test_notify_without_any_worker_does_nothing(tmp_path):
    wake.notify(str(tmp_path / "hamlet.db"))


def test_a_listener_that_binds_just_after_a_notify_is_woken_by_the_next_one(tmp_path):
    # The replies' listeners come and go with every simulated text: a notifier's listing of
    # the folder must not hide one that bound a moment ago.
    path = str(tmp_path / "hamlet.db")
    early = wake.Listener(path, wake.REPLIES)
    late = None
    try:
        wake.notify(path, wake.REPLIES)
        assert early.wait(5) is True
        late = wake.Listener(path, wake.REPLIES)
        wake.notify(path, wake.REPLIES)
        assert late.wait(5) is True
    finally:
        early.close()
        if late is not None:
            late.close()


def test_stored_messages_and_replies_wake_their_own_listeners_only(tmp_path):
    path = str(tmp_path / "hamlet.db")
    worker, phone = wake.Listener(path, wake.STORED), wake.Listener(path, wake.REPLIES)
    try:
        wake.notify(path, wake.REPLIES)
        assert phone.wait(5) is True
        assert worker.wait(0.01) is False
        wake.notify(path)
        assert worker.wait(5) is True
        assert phone.wait(0.01) is False
    finally:
        worker.close()
        phone.close()
