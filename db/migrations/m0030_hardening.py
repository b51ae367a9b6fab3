"""Migrations 0030-0039: field keys per request, corrections as events, gateway budgets."""

from db.migrations.registry import migrations


@migrations(name="0030_field_keys_per_request")
def field_keys_per_request(db):
    """A field result's idempotency key is unique per request, not across every request.

    A phone that reuses a key for another visit (a copied page, a bad random source) must get
    its new result stored, not the answer of the other visit.
    """
    db.execute("DROP INDEX IF EXISTS idx_field_results_idempotency_key")
    db["field_results"].create_index(["request_id", "idempotency_key"], unique=True)


@migrations(name="0031_corrections_kept")
def corrections_kept(db):
    """Every correction is kept, with what it did: the request it touched and the outcome.

    A second correction of a message used to delete the first; now each is a row of its own,
    and the newest one per message is the label the classifier learns.
    """
    db["nlu_corrections"].add_column("request_id", int)
    db["nlu_corrections"].add_column("outcome", str)
    db.execute("DROP INDEX idx_nlu_corrections_message_id")
    db["nlu_corrections"].create_index(["message_id"])


@migrations(name="0032_gateway_sends")
def gateway_sends(db):
    """The parts handed to each gateway device, so its sending budget is counted across workers.

    Android holds an app's SMS past 30 parts a minute until a person taps "allow" on the
    phone (SmsUsageMonitor); the outbox keeps each device under its budget by counting here.
    """
    db["gateway_sends"].create(
        {
            "id": int,
            "commune_id": int,
            "channel_id": int,
            "outbox_id": int,
            "parts": int,
            "at": str,
        },
        pk="id",
        not_null={"commune_id", "channel_id", "parts", "at"},
    )
    db["gateway_sends"].create_index(["channel_id", "at"])
    db["gateway_sends"].create_index(["commune_id"])
