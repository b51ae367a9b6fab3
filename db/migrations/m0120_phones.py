"""Migrations 0120-0129: each gateway phone's own API account, and which phone holds a message."""

from db.migrations.registry import migrations


@migrations(name="0120_gateway_accounts")
def gateway_accounts(db):
    """A gateway device's API address and credentials, so it sends its own commune's SMS.

    NULL on the first commune's default device: SMS_GATEWAY_URL, _USERNAME and _PASSWORD
    stay its account. The password is stored to be used, and never printed.
    """
    db["channels"].add_column("api_url", str)
    db["channels"].add_column("api_username", str)
    db["channels"].add_column("api_password", str)


@migrations(name="0121_outbox_device")
def outbox_device(db):
    """The gateway device an outbox row was handed to, and the one it must not go back to.

    A lookup after an ambiguous send asks the device that had the message; a message moved
    off a silent phone (after that phone confirmed it cancelled) avoids it.
    """
    db["outbox"].add_column("channel_id", int)
    db["outbox"].add_column("avoid_channel_id", int)
    db["outbox"].create_index(["channel_id", "status"])
