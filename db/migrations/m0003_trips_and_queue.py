"""Migrations 0003-0006: trips per rule and who changed them, queue indexes, reply links."""

from db.migrations.registry import migrations


@migrations(name="0003_trips_per_rule")
def trips_per_rule(db):
    """Make rule trips unique per rule and day, so extra trips can share a day and session."""
    # A cancelled rule trip stays as a marker (never regenerated), and staff can still add
    # an extra trip on that same morning; the old (date, session) key forbade both.
    db.execute("DROP INDEX IF EXISTS idx_trips_date_session")
    db.execute("CREATE UNIQUE INDEX idx_trips_rule_id_date ON trips (rule_id, date)")
    db.execute("CREATE INDEX idx_trips_date_session ON trips (date, session)")
    db["outbox"].add_column("failed_at", str)
    db.execute("CREATE INDEX idx_outbox_status_lease ON outbox (status, lease_expires_at)")


@migrations(name="0004_trips_who")
def trips_who(db):
    """Record who added or cancelled a trip and who last edited a schedule rule."""
    db["trips"].add_column("created_by", str)
    db["trips"].add_column("cancelled_by", str)
    db["trips"].add_column("cancelled_at", str)
    db["schedule_rules"].add_column("updated_by", str)
    db["schedule_rules"].add_column("updated_at", str)


@migrations(name="0005_staff_queue_indexes")
def staff_queue_indexes(db):
    """Index what the staff queue's "needs attention" lists look up."""
    # Visits waiting without a trip: most closed history also has no trip, so the
    # (trip_id, ...) index would walk the whole table; (status, trip_id) goes straight there.
    db["requests"].create_index(["status", "trip_id"])
    db["residents"].create_index(["flagged_at"])


@migrations(name="0006_outbox_reply_to")
def outbox_reply_to(db):
    """Link a queued reply (gateway replies leave through the outbox) to the inbound SMS."""
    db["outbox"].add_column("reply_to_id", int)
    db["outbox"].create_index(["reply_to_id"])
