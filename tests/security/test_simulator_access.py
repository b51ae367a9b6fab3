"""The phone simulator: for signed-in officers, in the embedded demo only, with bounded disk use."""

import pytest

from app import create_app
from app.infra import config
from simulator import clips
from tests.conftest import signed_in_client

STRANGER_ROUTES = [
    ("get", "/simulator", {}),
    ("get", "/simulator/api/thread?phone=0909111222", {}),
    ("post", "/simulator/api/sms", {"json": {"phone": "0909111222", "body": "HUY"}}),
    ("post", "/simulator/api/call", {"json": {"phone": "0909111222"}}),
    ("post", "/simulator/api/call/record", {"data": {"phone": "0909111222"}}),
    ("get", "/simulator/recordings/RE" + "0" * 32, {}),
]


@pytest.mark.parametrize(("method", "path", "body"), STRANGER_ROUTES)
def test_a_stranger_reaches_nothing_of_the_simulator(app, client, store, method, path, body):
    app.config["WTF_CSRF_ENABLED"] = False
    assert app.config["SIMULATOR"]
    response = getattr(client, method)(path, **body)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")
    assert store["messages"].count == 0
    assert response.mimetype == "text/html"  # a redirect, never the JSON thread


@pytest.mark.parametrize(
    "credential",
    [
        {"TWILIO_AUTH_TOKEN": "a-real-token"},
        {"TWILIO_ACCOUNT_SID": "AC" + "1" * 32},
        {"SMS_GATEWAY_URL": "http://192.168.1.20:8080"},
        {"SMS_GATEWAY_SIGNING_KEY": "key"},
    ],
)
def test_a_server_with_a_real_provider_has_no_simulator_unless_forced(tmp_path, credential):
    env = {"SMS_TRANSPORT": "console", **credential}
    assert config.from_environment(str(tmp_path), env=env)["SIMULATOR"] is False
    assert config.from_environment(str(tmp_path), env={**env, "SIMULATOR": "1"})["SIMULATOR"]


def test_with_provider_credentials_the_pages_are_not_there_even_for_officers(app, monkeypatch):
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", "a-real-token")
    real = create_app(
        {**app.config, "SIMULATOR": config.from_environment(app.instance_path)["SIMULATOR"]}
    )
    officer = signed_in_client(real, "lan", "staff")
    assert officer.get("/simulator").status_code == 404


def test_an_officer_uses_the_simulator(app):
    officer = signed_in_client(app, "lan", "staff")
    assert officer.get("/simulator").status_code == 200


def record(officer, clip=b"RIFF" + b"\0" * 100, name="clip.wav", mimetype="audio/wav"):
    import io

    call = officer.post("/simulator/api/call", json={"phone": "0901234567"}).get_json()
    return officer.post(
        "/simulator/api/call/record",
        data={
            "phone": "0901234567",
            "call_sid": call["call_sid"],
            "action": "/voice/record/done",
            "clip": (io.BytesIO(clip), name, mimetype),
        },
        content_type="multipart/form-data",
    )


def test_a_recording_larger_than_the_cap_is_refused_and_not_stored(app):
    officer = signed_in_client(app, "lan", "staff")
    response = record(officer, clip=b"\0" * (clips.MAX_CLIP_BYTES + 1))
    assert response.status_code == 413
    with app.app_context():
        folder = clips.recordings_dir()
    assert not folder.exists() or not list(folder.iterdir())


def test_the_recordings_folder_holds_a_bounded_number_of_clips(app, monkeypatch):
    monkeypatch.setattr(clips, "MAX_RECORDINGS", 3)
    officer = signed_in_client(app, "lan", "staff")
    statuses = [record(officer).status_code for _ in range(5)]
    assert statuses[3:] == [429, 429]
    assert "at most 3 recordings" in record(officer).get_json()["error"]
    with app.app_context():
        kept = list(clips.recordings_dir().glob("RE*"))
    assert len(kept) == 3
    assert {oct(clip.stat().st_mode & 0o777) for clip in kept} == {"0o600"}
