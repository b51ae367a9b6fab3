"""Migrations 0090-0099: follow-ups an officer owes a resident, and visits opened from a message."""

from db.migrations.registry import migrations


@migrations(name="0090_follow_ups")
def follow_ups(db):
    """A task on a request that stays on top until an officer records how it ended.

    kind is call_back (a call promised to the resident, due at due_at) or not_home (the team
    found nobody; rebook, call first or close). outcome is set when it is done.
    """
    db["follow_ups"].create(
        {
            "id": int,
            "commune_id": int,
            "request_id": int,
            "kind": str,
            "due_at": str,
            "created_at": str,
            "created_by": str,
            "done_at": str,
            "done_by": str,
            "outcome": str,
            "note": str,
        },
        pk="id",
        not_null={"commune_id", "request_id", "kind", "created_at"},
        foreign_keys=[("request_id", "requests", "id")],
    )
    db["follow_ups"].create_index(["commune_id", "done_at", "due_at"])
    db["follow_ups"].create_index(["request_id"])
    # A visit booked from a question or plea names it, so finishing the visit closes it.
    db["requests"].add_column("origin_request_id", int)
    db["requests"].create_index(["origin_request_id"])
