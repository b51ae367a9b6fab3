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
