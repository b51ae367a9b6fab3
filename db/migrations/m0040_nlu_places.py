"""Migrations 0040-0049: what the understanding step keeps for staff (issue 26).

The three likeliest meanings of a handed-over message (one-tap labels in the console), and
hamlet aliases: old names and spellings staff add, and unknown place names residents wrote,
suggested to staff as aliases of the hamlet the resident then picked.
"""

from db.migrations.registry import migrations


@migrations(name="0040_message_likely")
def message_likely(db):
    """The handed-over message's likeliest meanings, as JSON [{intent, p, hamlet, procedure}]."""
    db["messages"].add_column("likely", str)


@migrations(name="0041_hamlet_aliases")
def hamlet_aliases(db):
    """Other names of a hamlet: staff's (active) and residents' unknown ones (suggested)."""
    db["hamlet_aliases"].create(
        {
            "id": int,
            "commune_id": int,
            "hamlet_id": int,
            "alias": str,  # as written ("Long Hòa 2", "ap Cay Da")
            "folded": str,  # app.language.texts.fold of it, what matching compares
            "status": str,  # active | suggested | dismissed
            "message_id": int,  # the resident's SMS that suggested it, if any
            "actor": str,
            "created_at": str,
        },
        pk="id",
        not_null={"commune_id", "hamlet_id", "alias", "folded", "status", "created_at"},
        foreign_keys=[("hamlet_id", "hamlets", "id")],
    )
    db["hamlet_aliases"].create_index(["commune_id", "folded", "hamlet_id"], unique=True)
    db["hamlet_aliases"].create_index(["commune_id", "status"])
    # Aliases are found like hamlet names: an edit must reload every worker's finder.
    for event in ("INSERT", "UPDATE", "DELETE"):
        db.execute(
            f"CREATE TRIGGER catalog_changed_hamlet_aliases_{event.lower()} AFTER {event}"
            " ON hamlet_aliases BEGIN UPDATE catalog_version SET version = random()"
            " WHERE id = 1; END"
        )
