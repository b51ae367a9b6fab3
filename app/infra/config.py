"""Configuration from the environment, with embedded defaults kept in instance/."""

import os
import secrets
from pathlib import Path

from db.files import private_dir

# A syntactically valid Account SID for the embedded default; no real account behind it.
LOCAL_ACCOUNT_SID = "AC" + "0" * 32
LOCAL_FROM_NUMBER = "+84000000000"


def instance_secret(instance_path, name):
    """Return a secret stored in instance/NAME, generating it on first use."""
    path = Path(instance_path) / name
    if not path.exists():
        # Write a private temp file, then link it into place: link() fails if the name
        # exists, so when several gunicorn workers start together exactly one secret wins
        # and nobody ever reads a half-written file.
        temp = path.with_name(f".{name}.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
        try:
            os.link(temp, path)
        except FileExistsError:
            pass
        finally:
            temp.unlink()
    return path.read_text().strip()


# Any of these means a real provider can reach or be reached by this server.
PROVIDER_CREDENTIALS = (
    "TWILIO_ACCOUNT_SID",
    "TWILIO_AUTH_TOKEN",
    "SMS_GATEWAY_URL",
    "SMS_GATEWAY_USERNAME",
    "SMS_GATEWAY_PASSWORD",
    "SMS_GATEWAY_SIGNING_KEY",
)


def simulator_on(env, transport):
    """The phone simulator runs in the embedded demo only (console, no provider), or SIMULATOR=1."""
    if env.get("SIMULATOR") in ("0", "1"):
        return env["SIMULATOR"] == "1"
    return transport == "console" and not any(env.get(name) for name in PROVIDER_CREDENTIALS)


def trusted_proxies(raw):
    """Parse TRUSTED_PROXIES: how many proxy hops in front may set X-Forwarded-* (default 0)."""
    text = (raw or "0").strip()
    if not text.isdigit() or int(text) > 5:
        raise ValueError(f"TRUSTED_PROXIES must be a number of proxy hops, 0 to 5, not {raw!r}")
    return int(text)


def parts_per_minute(raw):
    """Parse SMS_GATEWAY_PARTS_PER_MINUTE: 1 to 1000 parts a minute per phone (default 25)."""
    text = (raw or "25").strip()
    if not text.isdigit() or not 1 <= int(text) <= 1000:
        raise ValueError(f"SMS_GATEWAY_PARTS_PER_MINUTE must be 1 to 1000, not {raw!r}")
    return int(text)


# The blueprint of each channel the factory mounts, in the order their routes are matched.
CHANNELS = ("sms:bp", "voice:bp", "open311:bp", "simulator:bp", "staff:bp")


def send_threads(raw):
    """Parse OUTBOX_SEND_THREADS: 1 to 32 messages a worker sends at once (default 4)."""
    text = (raw or "4").strip()
    if not text.isdigit() or not 1 <= int(text) <= 32:
        raise ValueError(f"OUTBOX_SEND_THREADS must be 1 to 32, not {raw!r}")
    return int(text)


def from_environment(instance_path, env=None):
    """Build the config mapping from environment variables and instance secrets."""
    env = os.environ if env is None else env
    # instance/ holds the secrets and, by default, the database: owner-only.
    private_dir(instance_path)
    port = env.get("PORT", "8000")
    transport = env.get("SMS_TRANSPORT", "console")
    return {
        "DATABASE_PATH": env.get("DATABASE_PATH") or str(Path(instance_path) / "hamlet-line.db"),
        "SECRET_KEY": env.get("SECRET_KEY") or instance_secret(instance_path, "secret_key"),
        "PUBLIC_BASE_URL": (env.get("PUBLIC_BASE_URL") or f"http://127.0.0.1:{port}").rstrip("/"),
        "TWILIO_ACCOUNT_SID": env.get("TWILIO_ACCOUNT_SID") or LOCAL_ACCOUNT_SID,
        "TWILIO_AUTH_TOKEN": env.get("TWILIO_AUTH_TOKEN")
        or instance_secret(instance_path, "twilio_auth_token"),
        "TWILIO_FROM_NUMBER": env.get("TWILIO_FROM_NUMBER") or LOCAL_FROM_NUMBER,
        # Only tests and staging point this elsewhere (a local fake of the Twilio API).
        "TWILIO_API_BASE_URL": env.get("TWILIO_API_BASE_URL", ""),
        "TWILIO_VOICE": env.get("TWILIO_VOICE", "Google.vi-VN-Standard-A"),
        "TWILIO_VOICE_EN": env.get("TWILIO_VOICE_EN", "Google.en-US-Standard-C"),
        "REPORTS_DIR": env.get("REPORTS_DIR") or str(Path(instance_path) / "reports"),
        "SMS_TRANSPORT": transport,
        "SMS_GATEWAY_URL": env.get("SMS_GATEWAY_URL", ""),
        "SMS_GATEWAY_USERNAME": env.get("SMS_GATEWAY_USERNAME", ""),
        "SMS_GATEWAY_PASSWORD": env.get("SMS_GATEWAY_PASSWORD", ""),
        "SMS_GATEWAY_SIGNING_KEY": env.get("SMS_GATEWAY_SIGNING_KEY", ""),
        # Parts a gateway phone is handed per minute; Android stops an app at 30 until tapped.
        "SMS_GATEWAY_PARTS_PER_MINUTE": parts_per_minute(env.get("SMS_GATEWAY_PARTS_PER_MINUTE")),
        # Messages one worker process sends at once (each a thread with its own connection).
        "OUTBOX_SEND_THREADS": send_threads(env.get("OUTBOX_SEND_THREADS")),
        "COMMUNE_NAME": env.get("COMMUNE_NAME", "Xa Phu Lam"),
        "TIMEZONE": env.get("TIMEZONE", "Asia/Ho_Chi_Minh"),
        "SIMULATOR": simulator_on(env, transport),
        "PORT": int(port),
        "CHANNELS": CHANNELS,
        # Scrapers send it as a bearer token; without one /metrics answers only local requests.
        "METRICS_TOKEN": env.get("METRICS_TOKEN", ""),
        "TRUSTED_PROXIES": trusted_proxies(env.get("TRUSTED_PROXIES")),
        # One text field of a multipart form; the body limits per route (app/infra/web/limits.py)
        # bound the whole request. Not below 128 KB: Werkzeug reads 64 KB at a time.
        "MAX_FORM_MEMORY_SIZE": 256 * 1024,
    }
