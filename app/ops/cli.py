"""Command-line tools for operators: seed, users, API keys, the worker, backups, the gateway."""

import secrets
import sqlite3
from pathlib import Path

import click
import requests
from android_sms_gateway import errors as gateway_errors
from flask import current_app
from flask.cli import AppGroup, with_appcontext

from app import channels, communes
from app.accounts import apikeys, users
from app.infra import gateway_api
from app.infra.database import get_db
from app.ops.commune_cli import commune_option
from app.ops.commune_cli import resolve as resolve_commune
from app.ops.prompt_cli import voice_group
from db import connect, transaction
from db.files import private_database


@click.command("seed")
@with_appcontext
@click.option(
    "--demo",
    is_flag=True,
    help="Also add demo residents and requests (the first commune: and a second demo commune).",
)
@commune_option
def seed_command(demo, commune_code):
    """Load hamlets, the trip schedule and the procedure catalogue (safe to run again)."""
    from app.seed.demo_commune import DEMO_CODE
    from app.seed.loader import seed

    db = get_db()
    commune = resolve_commune(db, commune_code)
    first = commune.id == communes.FIRST_ID
    seed(db, demo=demo, commune=commune)
    click.echo(f"Seeded {commune.code}" + (" with demo data." if demo else "."))
    if demo and first:
        click.echo(f"Seeded the second demo commune {DEMO_CODE} with demo data.")


@click.command("create-user")
@with_appcontext
@click.argument("name")
@click.option("--role", type=click.Choice(users.ROLES), default="staff", show_default=True)
@click.option("--password", help="Prompted for (hidden) when not given.")
@commune_option
@click.option("--province", is_flag=True, help="Reads every commune, acts in none.")
def create_user_command(name, role, password, commune_code, province):
    """Create a staff account NAME with a role in a commune, or a province reader."""
    db = get_db()
    commune = None if province and not commune_code else resolve_commune(db, commune_code)
    if not password:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        with transaction(db):
            users.create_user(db, name, password, role=role, commune=commune, province=province)
    except users.UserExists:
        raise click.ClickException(f"user {name!r} already exists") from None
    except users.WeakPassword as exc:
        # The same policy as the settings page, in English like the rest of the CLI.
        raise click.ClickException(f"not created: {exc}") from None
    click.echo(f"Created {role} {name}.")


@click.command("ensure-admin")
@with_appcontext
def ensure_admin_command():
    """Create the first admin once and print its password; later runs print nothing new."""
    db = get_db()
    with transaction(db):
        if db.execute("SELECT 1 FROM staff_users WHERE role = 'admin'").fetchone():
            click.echo(
                "Admin login: an admin account exists already (flask create-user adds more)."
            )
            return
        password = secrets.token_urlsafe(9)
        # Printed on a terminal (and maybe in a scrollback or a log): changed at first sign-in.
        users.create_user(
            db,
            "admin",
            password,
            role="admin",
            display_name="Quản trị",
            must_change_password=True,
            commune=communes.first_commune(db),
        )
    click.echo(f"Admin login (shown only now, change it at first sign-in): admin / {password}")


api_key_group = AppGroup("api-key", help="Manage Open311 API keys.")


@api_key_group.command("create")
@with_appcontext
@click.argument("name")
@commune_option
def api_key_create_command(name, commune_code):
    """Create an Open311 API key of a commune for NAME and print it (it is not shown again)."""
    db = get_db()
    commune = resolve_commune(db, commune_code)
    with transaction(db):
        key = apikeys.create_key(db, commune, name)
    click.echo(key)


@click.command("worker")
@with_appcontext
@click.option("--once", is_flag=True, help="Run one pass and exit (for cron or tests).")
def worker_command(once):
    """Send the outbox and run scheduled jobs until stopped."""
    from app.ops import worker

    worker.run(current_app._get_current_object(), once=once)


@click.command("backup")
@with_appcontext
@click.argument("path", type=click.Path(dir_okay=False))
def backup_command(path):
    """Copy the live database to PATH with SQLite's online backup API."""
    folder = Path(path).resolve().parent
    if not folder.is_dir():
        raise click.ClickException(f"no folder {folder} to write the backup in; create it first")
    source = connect(current_app.config["DATABASE_PATH"])
    # The copy holds the same personal data as the live file: owner-only from the start.
    target = sqlite3.connect(private_database(path))
    try:
        source.conn.backup(target)
        ok = target.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        target.close()
        source.conn.close()
    if ok != "ok":
        raise click.ClickException(f"backup failed the integrity check: {ok}")
    click.echo(f"Backup written to {path} (integrity ok).")


gateway_group = AppGroup("gateway", help="Set up the Android SMS gateway phone.")


@gateway_group.command("register")
@with_appcontext
@click.option(
    "--mode",
    type=click.Choice(["local", "cloud"]),
    required=True,
    help="local: the phone's own server (SMS_GATEWAY_URL=http://<phone-ip>:8080); "
    "cloud: api.sms-gate.app or a private server (a .../3rdparty/v1 address).",
)
@click.option("--url", help="The webhook address the phone posts to (PUBLIC_BASE_URL/sms/gateway).")
@commune_option
@click.option("--device", help="The commune's gateway device (see flask channel list).")
def gateway_register_command(mode, url, commune_code, device):
    """Register the webhooks: sms:received, sent, delivered, failed, cancelled and system:ping.

    With --commune, the phone posts to that commune's device URL (/sms/gateway/<channel>),
    and a device with its own API account (flask channel account) is called through it.
    """
    config = current_app.config
    channel = None
    if commune_code:
        channel = _gateway_channel(resolve_commune(get_db(), commune_code), device)
        if channel["api_url"] or channel["api_password"]:
            # A device with its own API account is set up through it, not the environment's.
            config = {**config, **channels.gateway_account(channel, config)}
    if mode == "local" and not config.get("SMS_GATEWAY_URL"):
        raise click.ClickException("set SMS_GATEWAY_URL to the phone's address, http://<ip>:8080")
    address = gateway_api.base_url(config)
    if gateway_api.mode(config) != mode:
        raise click.ClickException(
            f"--mode {mode}, but SMS_GATEWAY_URL {address} is a {gateway_api.mode(config)} address"
        )
    if not config.get("SMS_GATEWAY_PASSWORD"):
        raise click.ClickException("set SMS_GATEWAY_USERNAME and SMS_GATEWAY_PASSWORD first")
    path = channels.webhook_path(channel) if channel else "/sms/gateway"
    hook = url or f"{config['PUBLIC_BASE_URL'].rstrip('/')}{path}"
    try:
        done = gateway_api.register_webhooks(config, hook)
    except gateway_errors.APIError as error:
        raise click.ClickException(
            f"the gateway refused: {gateway_api.error_text(error)}"
        ) from None
    except requests.RequestException as error:
        raise click.ClickException(f"cannot reach the gateway at {address}: {error}") from None
    for registration in done:
        click.echo(f"{registration.event:<14} -> {registration.url} ({registration.webhook_id})")
    if channel is not None and not channel["is_default"]:
        click.echo("The phone signs with this device's own key (printed by flask channel add).")
    elif not config.get("SMS_GATEWAY_SIGNING_KEY"):
        click.echo(
            "Warning: SMS_GATEWAY_SIGNING_KEY is not set, so every webhook will be refused (403).",
            err=True,
        )


def _gateway_channel(commune, device):
    """COMMUNE's gateway device named DEVICE (its only one without a name), or a CLI error."""
    devices = channels.every(get_db(), commune, kind="gateway")
    if device:
        devices = [row for row in devices if row["address"] == device]
    if len(devices) != 1:
        raise click.ClickException(
            f"{commune.code} has {len(devices)} matching gateway devices: add one with"
            " flask channel add --gateway-device, or name it with --device"
        )
    return devices[0]


def init_app(app):
    """Register the commands on APP."""
    for command in (
        seed_command,
        create_user_command,
        ensure_admin_command,
        api_key_group,
        worker_command,
        backup_command,
        gateway_group,
        voice_group,
    ):
        app.cli.add_command(command)
