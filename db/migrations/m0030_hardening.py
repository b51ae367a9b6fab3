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
