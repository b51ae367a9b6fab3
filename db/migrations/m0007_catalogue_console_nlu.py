"""Migrations 0007-0012: catalogue version, audit log, spoken forms, field mode, NLU, attention."""

from db.migrations.registry import migrations

CATALOG_TABLES = ("hamlets", "procedures", "settings")


@migrations(name="0007_perf_catalog_version")
def catalog_version(db):
    """A token that changes with every edit of hamlets, procedures or settings.

    Workers cache the catalogue per process and reload it when the token differs, so an
    edit made anywhere (a staff page in another worker, the seed, plain SQL) is seen by the
    next message. Triggers change it in the same transaction as the edit, so no code path
    can forget; a random token rather than a counter also tells apart two databases (or a
    restored copy) that a process may have open one after the other.
    """
    db.execute(
        "CREATE TABLE catalog_version (id INTEGER PRIMARY KEY CHECK (id = 1), "
        "version INTEGER NOT NULL)"
    )
    db.execute("INSERT INTO catalog_version (id, version) VALUES (1, random())")
    for table in CATALOG_TABLES:
        for event in ("INSERT", "UPDATE", "DELETE"):
            db.execute(
                f"CREATE TRIGGER catalog_changed_{table}_{event.lower()} AFTER {event} ON {table} "
                "BEGIN UPDATE catalog_version SET version = random() WHERE id = 1; END"
            )


@migrations(name="0008_audit_log")
def audit_log(db):
    """Who changed a setting, a hamlet, a rule, a trip, an account, a key or a procedure."""
    db["audit_log"].create(
        {"id": int, "at": str, "actor": str, "action": str, "target": str, "note": str},
        pk="id",
        not_null={"at", "action"},
    )
    db["audit_log"].create_index(["at"])


@migrations(name="0009_procedure_spoken_forms")
def procedure_spoken_forms(db):
    """Add what the phone says for a procedure, beside its written text.

    A short name and a summary (where to go, what to bring, the fee) in words a vi-VN
    voice reads right.
    """
    for column in ("spoken_name", "spoken_summary", "spoken_name_en", "spoken_summary_en"):
        db["procedures"].add_column(column, str)


@migrations(name="0010_console_field_mode")
def field_mode(db):
    """A landmark to find each resident's house, and the results the field team sends.

    field_results keeps every result a phone sent, by the idempotency key the phone made
    for it, so a sync repeated after a lost answer changes nothing.
    """
    db["residents"].add_column("landmark", str)
    db["field_results"].create(
        {
            "id": int,
            "idempotency_key": str,
            "trip_id": int,
            "request_id": int,
            "result": str,  # visited | unreachable | note
            "note": str,
            "recorded_at": str,  # UTC, the phone's clock when the officer tapped
            "received_at": str,  # UTC, when the server got it
            "actor": str,
            "outcome": str,  # applied | kept_as_note
            "reason": str,  # why it was kept as a note (moved, cancelled, closed, early)
        },
        pk="id",
        not_null={"idempotency_key", "trip_id", "request_id", "result", "received_at"},
        foreign_keys=[("trip_id", "trips", "id"), ("request_id", "requests", "id")],
    )
    db["field_results"].create_index(["idempotency_key"], unique=True)
    db["field_results"].create_index(["request_id"])


@migrations(name="0011_nlu_corrections")
def nlu_corrections(db):
    """What staff said a message meant: carried out once, then part of every retraining."""
    db["nlu_corrections"].create(
        {
            "id": int,
            "message_id": int,  # the inbound SMS corrected
            "text": str,  # its words, as the resident wrote them
            "intent": str,  # a corpus label: visit, schedule, guidance:KHAISINH, question, ...
            "hamlet": str,  # hamlet code or NULL
            "procedure": str,  # procedure code or NULL
            "urgency": str,  # emergency | distress | NULL
            "actor": str,
            "at": str,
        },
        pk="id",
        not_null={"text", "intent", "at"},
        foreign_keys=[("message_id", "messages", "id")],
    )
    db["nlu_corrections"].create_index(["message_id"], unique=True)


@migrations(name="0012_request_attention")
def request_attention(db):
    """Why a person must read a request: an emergency, a plea, or a long message."""
    db["requests"].add_column("attention", str)  # emergency | distress | long | NULL
    db["requests"].add_column("attention_at", str)
    db["requests"].create_index(["attention", "attention_at"])
