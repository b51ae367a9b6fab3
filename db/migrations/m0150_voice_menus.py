"""Migrations 0150-0159: a token for what the voice menus say (prompt words and recordings)."""

from db.migrations.registry import migrations


@migrations(name="0150_prompt_version")
def prompt_version(db):
    """A token that changes with every edit of a prompt's words or recordings.

    Rendered voice menus are kept per process with this token and catalog_version beside
    them: a new recording, a recording turned ready or deleted, or an edited prompt text in
    any commune is said by the next call in every worker. Triggers change it in the same
    transaction as the edit, as catalog_version's do.
    """
    db.execute(
        "CREATE TABLE prompt_version (id INTEGER PRIMARY KEY CHECK (id = 1), "
        "version INTEGER NOT NULL)"
    )
    db.execute("INSERT INTO prompt_version (id, version) VALUES (1, random())")
    for table in ("prompt_texts", "prompt_recordings"):
        for event in ("INSERT", "UPDATE", "DELETE"):
            db.execute(
                f"CREATE TRIGGER prompt_changed_{table}_{event.lower()} AFTER {event} ON {table}"
                " BEGIN UPDATE prompt_version SET version = random() WHERE id = 1; END"
            )
