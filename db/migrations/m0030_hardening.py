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
