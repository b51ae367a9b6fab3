"""Commands for a province server: its communes and the channels residents reach them by."""

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext

from app import channels, communes
from app.infra.database import get_db
from db import transaction

commune_group = AppGroup("commune", help="Add and list the communes this server serves.")
channel_group = AppGroup("channel", help="Route Twilio numbers and gateway phones to communes.")


def commune_option(function):
    """The --commune CODE option (the first commune when omitted)."""
    return click.option(
        "--commune",
        "commune_code",
        metavar="CODE",
        help="The commune's code, e.g. PHULAM (default: the first commune).",
    )(function)


def resolve(db, code):
    """The Commune for --commune CODE (the first commune without it), or a CLI error."""
    if not code:
        return communes.first_commune(db)
    commune = communes.by_code(db, code)
    if commune is None:
        known = ", ".join(c.code for c in communes.every(db))
        raise click.ClickException(f"no commune {code.upper()} (known: {known})")
    return commune


@commune_group.command("create")
@with_appcontext
@click.argument("code")
@click.option("--name", required=True, help="The name as read, e.g. 'Xã Phú Lâm'.")
@click.option("--prefix", help="The unaccented SMS prefix (default: the name, unaccented).")
@click.option("--timezone", help="IANA time zone (default Asia/Ho_Chi_Minh).")
def commune_create_command(code, name, prefix, timezone):
    """Add commune CODE (letters and digits, e.g. PHULAM) named NAME."""
    db = get_db()
    try:
        with transaction(db):
            commune = communes.create(db, code, name, prefix=prefix, timezone=timezone)
    except communes.CommuneError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Created commune {commune.code} ({commune.name}), id {commune.id}.")
    click.echo(f"Next: flask seed --commune {commune.code}, then flask channel add.")


@commune_group.command("list")
@with_appcontext
def commune_list_command():
    """Print every commune: code, SMS prefix, time zone and name."""
    for commune in communes.every(get_db()):
        click.echo(
            f"{commune.code:<12} {commune.sms_prefix:<20} {commune.timezone:<18} {commune.name}"
        )


@commune_group.command("show")
@with_appcontext
@click.argument("code")
def commune_show_command(code):
    """Print one commune's settings and channels."""
    db = get_db()
    commune = resolve(db, code)
    for field in communes.COLUMNS:
        click.echo(f"{field:<16} {getattr(commune, field)}")
    for channel in channels.every(db, commune):
        click.echo(f"channel {channel['id']:<8} {_describe(channel)}")


def _describe(channel):
    """One channel as a line: kind and address, and where a device posts."""
    config = current_app.config
    if channel["kind"] == "twilio":
        if channel["address"]:
            return f"twilio  {channel['address']}"
        return f"twilio  {config['TWILIO_FROM_NUMBER']} (TWILIO_FROM_NUMBER)"
    if channel["kind"] == "gateway":
        url = config["PUBLIC_BASE_URL"] + channels.webhook_path(channel)
        key = "SMS_GATEWAY_SIGNING_KEY" if channel["is_default"] else "its own signing key"
        return f"gateway {channel['address']} -> {url} ({key}); {_sends_through(channel)}"
    return "console"


def _sends_through(channel):
    """Where a gateway device's outbound SMS go, without its password."""
    if channel["is_default"]:
        return "sends via SMS_GATEWAY_URL"
    if not (channel["api_url"] or channel["api_password"]):
        return "receives only (no API account)"
    user = f" as {channel['api_username']}" if channel["api_username"] else ""
    return f"sends via {channel['api_url'] or 'the cloud server'}{user}"


def account_options(function):
    """The --api-url, --api-username and --api-password options of a gateway device."""
    for option in (
        click.option(
            "--api-password",
            metavar="PASSWORD",
            help="Its API password (stored to send; never printed).",
        ),
        click.option("--api-username", metavar="USER", help="Its API user name."),
        click.option(
            "--api-url",
            metavar="URL",
            help="Its API address: http://<phone-ip>:8080 (local) or a server's /3rdparty/v1.",
        ),
    ):
        function = option(function)
    return function


@channel_group.command("add")
@with_appcontext
@commune_option
@click.option("--twilio-number", metavar="E164", help="A Twilio number, e.g. +842773000111.")
@click.option("--gateway-device", metavar="NAME", help="A name for an Android gateway phone.")
@click.option("--sip-domain", metavar="DOMAIN", help="A Twilio SIP Domain, e.g. x.sip.twilio.com.")
@account_options
def channel_add_command(
    commune_code, twilio_number, gateway_device, sip_domain, api_url, api_username, api_password
):
    """Route a Twilio number, a SIP Domain or a gateway phone (and its API account) to a commune."""
    if sum(map(bool, (twilio_number, gateway_device, sip_domain))) != 1:
        raise click.UsageError("give one of --twilio-number, --gateway-device or --sip-domain")
    if twilio_number and (api_url or api_username or api_password):
        raise click.UsageError("--api-url and its credentials are for a --gateway-device")
    db = get_db()
    commune = resolve(db, commune_code)
    try:
        with transaction(db):
            if sip_domain:
                channel = channels.add_sip_domain(db, commune, sip_domain)
            elif twilio_number:
                channel = channels.add_twilio(
                    db,
                    commune,
                    twilio_number,
                    default_number=current_app.config["TWILIO_FROM_NUMBER"],
                )
            else:
                channel = channels.add_gateway(
                    db,
                    commune,
                    gateway_device,
                    api_url=api_url,
                    api_username=api_username,
                    api_password=api_password,
                )
    except channels.ChannelError as exc:
        raise click.ClickException(str(exc)) from None
    if sip_domain:
        click.echo(f"Calls through {sip_domain} now reach {commune.code}.")
        return
    if channel["kind"] == "twilio":
        base = current_app.config["PUBLIC_BASE_URL"]
        click.echo(f"Twilio {channel['address']} now reaches {commune.code}.")
        click.echo(f"Set its Messaging webhook to {base}/sms/twilio")
        click.echo(f"and its Voice webhook to {base}/voice/incoming (POST).")
        return
    url = current_app.config["PUBLIC_BASE_URL"] + channels.webhook_path(channel)
    click.echo(f"Gateway device {channel['address']} of {commune.code}, channel {channel['id']}.")
    click.echo(f"Webhook URL: {url}")
    click.echo(f"Signing key (shown only now): {channel['secret']}")
    click.echo(f"Outbound: {_sends_through(channel)}.")


@channel_group.command("account")
@with_appcontext
@click.argument("channel_id", type=int)
@account_options
def channel_account_command(channel_id, api_url, api_username, api_password):
    """Set the API address and credentials gateway device CHANNEL_ID sends through."""
    db = get_db()
    found = channels.gateway_device(db, channel_id)
    if found is None:
        raise click.ClickException(f"no gateway device with channel id {channel_id}")
    try:
        with transaction(db):
            channel = channels.set_gateway_account(
                db, found[1], url=api_url, username=api_username, password=api_password
            )
    except channels.ChannelError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Gateway device {channel['address']}: {_sends_through(channel)}.")


@channel_group.command("list")
@with_appcontext
@commune_option
def channel_list_command(commune_code):
    """Print every channel (of one commune with --commune)."""
    db = get_db()
    commune = resolve(db, commune_code) if commune_code else None
    for channel in channels.every(db, commune):
        click.echo(f"{channel['commune_code']:<12} {channel['id']:<6} {_describe(channel)}")


def init_app(app):
    """Register the commune and channel commands on APP."""
    app.cli.add_command(commune_group)
    app.cli.add_command(channel_group)
