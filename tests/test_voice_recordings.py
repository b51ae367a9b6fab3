"""Fetching a voice message's audio with the account credentials, from a local fake API."""

import pytest
from flask import current_app

from app.request_queue.recordings import RecordingUnavailable, fetch_recording
from tests.fakes.twilio_api import FakeTwilioAPI

SID = "RE" + "3" * 32


@pytest.fixture
def fake(app):
    with FakeTwilioAPI(app.config["TWILIO_ACCOUNT_SID"], app.config["TWILIO_AUTH_TOKEN"]) as api:
        app.config["TWILIO_API_BASE_URL"] = api.base_url
        yield api


@pytest.mark.parametrize(
    "stored",
    [
        SID,
        f"https://api.twilio.com/2010-04-01/Accounts/AC{'0' * 32}/Recordings/{SID}",
        f"https://api.twilio.com/2010-04-01/Accounts/AC{'0' * 32}/Recordings/{SID}.mp3",
    ],
)
def test_a_recording_is_fetched_by_sid_or_url_with_the_account_credentials(app, fake, stored):
    fake.add_recording(SID, b"ID3-audio")
    with app.app_context():
        assert fetch_recording(stored, current_app.config) == (b"ID3-audio", "audio/mpeg")
    method, path, _form = fake.requests[-1]
    assert (method, path) == (
        "GET",
        f"/2010-04-01/Accounts/{app.config['TWILIO_ACCOUNT_SID']}/Recordings/{SID}.mp3",
    )


def test_a_tampered_url_never_sends_the_credentials_elsewhere(app, fake):
    fake.add_recording(SID, b"ID3-audio")
    with app.app_context():
        audio, _mimetype = fetch_recording(f"https://evil.example/steal/{SID}", current_app.config)
    assert audio == b"ID3-audio"
    assert fake.requests[-1][1].endswith(f"/Recordings/{SID}.mp3")


@pytest.mark.parametrize("stored", ["RE" + "4" * 32, "", None, "https://api.twilio.com/x"])
def test_an_unknown_or_malformed_recording_is_unavailable(app, fake, stored):
    with app.app_context(), pytest.raises(RecordingUnavailable):
        fetch_recording(stored, current_app.config)


def test_wrong_credentials_make_the_recording_unavailable(app, fake):
    fake.add_recording(SID)
    app.config["TWILIO_AUTH_TOKEN"] = "wrong"
    with app.app_context(), pytest.raises(RecordingUnavailable):
        fetch_recording(SID, current_app.config)


def test_a_simulator_recording_is_read_from_beside_the_database(app, fake, tmp_path):
    folder = tmp_path / "recordings"
    folder.mkdir()
    (folder / f"{SID}.wav").write_bytes(b"RIFF-sim")
    url = app.config["PUBLIC_BASE_URL"] + "/simulator/recordings/" + SID
    with app.app_context():
        audio, mimetype = fetch_recording(url, current_app.config)
        assert (audio, mimetype in ("audio/wav", "audio/x-wav")) == (b"RIFF-sim", True)
        app.config["SIMULATOR"] = False
        with pytest.raises(RecordingUnavailable):
            fetch_recording(
                url, current_app.config
            )  # then only the provider is asked, and it has no such SID
    assert fake.requests[-1][1].endswith(f"/Recordings/{SID}.mp3")
