"""Recorded prompts are looked up from a per-process listing that follows the folder."""

import os

from tests.conftest import PUBLIC_BASE_URL
from tests.test_voice import Call
from voice.prompts import prompt

AN_HOUR_AGO = 3600


def age(path, seconds=AN_HOUR_AGO):
    """Backdate PATH's mtime, as for a folder nobody has touched in a while."""
    stamp = os.stat(path).st_mtime - seconds
    os.utime(path, (stamp, stamp))


def plays(root):
    return [play.text for play in root.iter("Play")]


def test_a_recording_added_or_removed_while_running_is_used_from_the_next_call(
    app, twilio_post, tmp_path
):
    folder = tmp_path / "prompts" / "vi"
    folder.mkdir(parents=True)
    (folder / "README.txt").write_text("recordings go here")
    age(folder)
    app.static_folder = str(tmp_path)
    first = Call(twilio_post, call_sid="CA" + "1" * 32).start()
    assert plays(first) == []  # listed and cached: nothing recorded yet
    (folder / "no_otp.mp3").write_bytes(b"ID3-fake-mp3")
    second = Call(twilio_post, call_sid="CA" + "2" * 32)
    assert plays(second.start()) == [PUBLIC_BASE_URL + "/static/prompts/vi/no_otp.mp3"]
    assert not second.hears(prompt("no_otp"))
    age(folder)
    (folder / "no_otp.mp3").unlink()
    third = Call(twilio_post, call_sid="CA" + "3" * 32)
    assert plays(third.start()) == []
    assert third.hears(prompt("no_otp"))
