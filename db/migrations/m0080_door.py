"""Migrations 0080-0089: inbound SMS stored at the door and waiting to be answered."""

from db.migrations.registry import migrations


@migrations(name="0080_inbox_waiting")
def inbox_waiting(db):
    """One row per stored inbound SMS the worker has not answered yet.

    The webhook inserts it with the message; the worker leases every waiting row of a phone
    at once (lease_owner, lease_expires_at), answers them in id order and deletes each in
    the transaction that queues its reply. An expired lease is taken over by another worker.
    """
    db.execute(
        """
        CREATE TABLE inbox_waiting (
            message_id INTEGER PRIMARY KEY REFERENCES messages(id),
            commune_id INTEGER NOT NULL,
            phone TEXT NOT NULL,
            phone_raw TEXT,
            opt_out_type TEXT,
            lease_owner TEXT,
            lease_expires_at TEXT,
            created_at TEXT NOT NULL
        )
        """
    )
    db.execute("CREATE INDEX idx_inbox_waiting_phone ON inbox_waiting (commune_id, phone)")
