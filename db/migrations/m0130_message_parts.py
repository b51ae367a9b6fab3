"""Migrations 0130-0139: delivery of a long SMS counted part by part."""

from db.migrations.registry import migrations


@migrations(name="0130_message_parts")
def message_parts(db):
    """How many parts an outbound SMS took, and how many were sent, delivered and failed.

    The Android gateway reports a long message's parts one by one (a delivery report per
    part, a failure per part), so a message is delivered only when every part is. The
    counts are kept per message; part_reports holds each report once, under the webhook's
    own id, so a retried or doubled webhook never counts a part twice.
    """
    db["message_parts"].create(
        {
            "message_id": int,
            "commune_id": int,
            "parts": int,
            "sent": int,
            "delivered": int,
            "failed": int,
            "updated_at": str,
        },
        pk="message_id",
        not_null={"commune_id", "parts", "sent", "delivered", "failed", "updated_at"},
        defaults={"sent": 0, "delivered": 0, "failed": 0},
        foreign_keys=[("message_id", "messages", "id")],
    )
    db["message_parts"].create_index(["commune_id"])
    db["part_reports"].create(
        {
            "id": int,
            "commune_id": int,
            "message_id": int,
            "report_key": str,
            "kind": str,
            "reason": str,
            "at": str,
        },
        pk="id",
        not_null={"commune_id", "message_id", "report_key", "kind", "at"},
        foreign_keys=[("message_id", "messages", "id")],
    )
    db["part_reports"].create_index(["report_key"], unique=True)
    db["part_reports"].create_index(["message_id"])
    db["part_reports"].create_index(["commune_id"])
