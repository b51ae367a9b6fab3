"""Migrations 0013-0017: staff sessions, call-backs, rate hits, send attempts, gateway watch."""

from db.migrations.registry import migrations


@migrations(name="0013_staff_sessions")
def staff_sessions(db):
    """Session versions, a forced password change, and sign-in throttling per name and device."""
    # A saved session cookie carries the version it was issued under; logout, a password
    # change or deactivation bumps it, so every older cookie stops working at once.
    db["staff_users"].add_column("session_version", int, not_null_default=0)
    db["staff_users"].add_column("must_change_password", int, not_null_default=0)
    db["login_attempts"].add_column("device", str)
    db["login_attempts"].create_index(["username", "at"])


@migrations(name="0014_callback_per_missed_call")
def callback_per_missed_call(db):
    """At most one call-back per missed inbound call, however often its status is replayed."""
    db["callbacks"].add_column("missed_call_sid", str)
    db.execute(
        "CREATE UNIQUE INDEX idx_callbacks_missed_call_sid ON callbacks (missed_call_sid)"
        " WHERE missed_call_sid IS NOT NULL"
    )


@migrations(name="0015_rate_hits")
def rate_hits(db):
    """Hits counted against sliding-window limits (Open311 filing per key and per phone)."""
    db["rate_hits"].create(
        {"id": int, "bucket": str, "at": str}, pk="id", not_null={"bucket", "at"}
    )
    db["rate_hits"].create_index(["bucket", "at"])


@migrations(name="0016_outbox_attempts")
def outbox_attempts(db):
    """Record every attempt at an outbound message, and when its next one must look first.

    Twilio's REST API is not idempotent: after an ambiguous attempt (a timeout, a 5xx, a
    reset connection, a worker that died mid-send) the next one looks the message up before
    sending again. first_attempt_at bounds that lookup.
    """
    db["outbox"].add_column("first_attempt_at", str)
    db["outbox"].add_column("lookup_needed", int, not_null_default=0)
    db["outbox_attempts"].create(
        {
            "id": int,
            "outbox_id": int,
            "attempt": int,
            "at": str,
            "action": str,  # send | lookup
            "outcome": str,  # accepted | found | not_found | ambiguous | error | setup | ...
            "provider_id": str,
            "status": str,
            "detail": str,
        },
        pk="id",
        not_null={"outbox_id", "at", "action", "outcome"},
        foreign_keys=[("outbox_id", "outbox", "id")],
    )
    db["outbox_attempts"].create_index(["outbox_id"])


@migrations(name="0017_gateway_watch")
def gateway_watch(db):
    """When the gateway phone was last heard from, the SIM each message came in on, and checks.

    gateway_state is one row: the last signed webhook, and a silent window the phone must
    re-deliver its inbox for. gateway_inbound keeps the SIM of each inbound gateway message,
    so the reply leaves from the number the resident wrote to.
    """
    db.execute(
        "CREATE TABLE gateway_state (id INTEGER PRIMARY KEY CHECK (id = 1), last_seen_at TEXT,"
        " last_event TEXT, device_id TEXT, app_version TEXT, gap_from TEXT, gap_until TEXT,"
        " recovery_asked_at TEXT, recovery_note TEXT)"
    )
    db.execute("INSERT INTO gateway_state (id) VALUES (1)")
    db["gateway_inbound"].create(
        {"dedupe_key": str, "phone": str, "sim_number": int, "received_at": str},
        pk="dedupe_key",
    )
    db["gateway_inbound"].create_index(["phone"])
    db["messages"].add_column("delivery_checked_at", str)
    db["outbox_attempts"].create_index(["outcome", "id"])
