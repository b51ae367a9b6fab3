"""Migrations 0018-0029: a province on one server, every commune a tenant.

Every commune-owned row carries commune_id. A database that served one commune becomes
commune 1, built from the environment defaults it ran with, and nothing is lost.
"""

import datetime as dt
import os

from db.migrations.registry import migrations

# Tables that hold one commune's residents or data (the rest are province-wide, or reached
# through a parent that carries the commune: rule_hamlets, trip_hamlets, call_steps,
# outbox_attempts).
SCOPED_TABLES = (
    "hamlets",
    "schedule_rules",
    "trips",
    "residents",
    "requests",
    "request_events",
    "messages",
    "outbox",
    "calls",
    "callbacks",
    "gateway_inbound",
    "field_results",
    "nlu_corrections",
    "api_keys",
    "audit_log",
)
# The first commune, as the single-commune service knew it.
FIRST_CODE = "PHULAM"
FIRST_NAME = "Xã Phú Lâm"
FIRST_PREFIX = "Xa Phu Lam"
FIRST_AGENCY = "UBND xã Phú Lâm"
DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"
# Procedure columns a commune may override (its texts, documents, fees, places, spoken forms).
OVERRIDABLE = (
    "name",
    "name_en",
    "summary",
    "steps",
    "documents",
    "fee_note",
    "deadline_note",
    "where_note",
    "sms_steps",
    "sms_documents",
    "sms_steps_en",
    "sms_documents_en",
    "spoken_name",
    "spoken_summary",
    "spoken_name_en",
    "spoken_summary_en",
)


def _now():
    """UTC now as stored text."""
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _first_commune_values():
    """Commune 1 from the single-commune environment: its defaults stay its values."""
    prefix = os.environ.get("COMMUNE_NAME") or FIRST_PREFIX
    name = FIRST_NAME if prefix == FIRST_PREFIX else prefix
    return {
        "id": 1,
        "code": FIRST_CODE,
        "name": name,
        "sms_prefix": prefix,
        "spoken_name": os.environ.get("COMMUNE_NAME_SPOKEN") or name,
        "agency": FIRST_AGENCY if prefix == FIRST_PREFIX else f"UBND {name}",
        "timezone": os.environ.get("TIMEZONE") or DEFAULT_TIMEZONE,
        "jurisdiction_id": FIRST_CODE.lower(),
        "office_address": "",
        "office_phone": "",
        "created_at": _now(),
    }


def _rebuild(db, table, create_sql, columns):
    """Recreate TABLE with CREATE_SQL (new keys), copying COLUMNS; commune_id becomes 1."""
    names = ", ".join(columns)
    db.execute(f"ALTER TABLE {table} RENAME TO {table}_single")
    db.execute(create_sql)
    db.execute(f"INSERT INTO {table} (commune_id, {names}) SELECT 1, {names} FROM {table}_single")
    db.execute(f"DROP TABLE {table}_single")


@migrations(name="0018_communes")
def communes(db):
    """Communes, their channels, staff memberships, and commune_id on every owned row."""
    db["communes"].create(
        {
            "id": int,
            "code": str,
            "name": str,
            "sms_prefix": str,
            "spoken_name": str,
            "agency": str,
            "timezone": str,
            "jurisdiction_id": str,
            "office_address": str,
            "office_phone": str,
            "created_at": str,
        },
        pk="id",
        not_null={"code", "name", "sms_prefix", "spoken_name", "agency", "timezone"},
    )
    db["communes"].create_index(["code"], unique=True)
    db["communes"].create_index(["jurisdiction_id"], unique=True)
    db["communes"].insert(_first_commune_values())

    db["channels"].create(
        {
            "id": int,
            "commune_id": int,
            "kind": str,  # twilio | gateway | console
            "address": str,  # E.164 number, gateway device name, or NULL
            "secret": str,  # a gateway device's signing key
            "is_default": int,  # commune 1's channel backed by the environment's credentials
            "created_at": str,
        },
        pk="id",
        not_null={"commune_id", "kind"},
        defaults={"is_default": 0},
        foreign_keys=[("commune_id", "communes", "id")],
    )
    db["channels"].create_index(["kind", "address"], unique=True)
    db["channels"].create_index(["commune_id"])
    now = _now()
    # The default gateway device is channel 1, so gateway_state's row 1 stays its row.
    for kind, address in (("gateway", "default"), ("twilio", None), ("console", None)):
        db["channels"].insert(
            {
                "commune_id": 1,
                "kind": kind,
                "address": address,
                "secret": None,
                "is_default": 1,
                "created_at": now,
            }
        )

    db["memberships"].create(
        {"user_id": int, "commune_id": int, "role": str, "created_at": str},
        pk=("user_id", "commune_id"),
        not_null={"role"},
        foreign_keys=[("user_id", "staff_users", "id"), ("commune_id", "communes", "id")],
    )
    db["memberships"].create_index(["commune_id"])
    db["staff_users"].add_column("province", int, not_null_default=0)
    db.execute(
        "INSERT INTO memberships (user_id, commune_id, role, created_at)"
        " SELECT id, 1, role, :now FROM staff_users",
        {"now": now},
    )

    for table in SCOPED_TABLES:
        db.execute(f"ALTER TABLE {table} ADD COLUMN commune_id INTEGER NOT NULL DEFAULT 1")

    # Uniqueness per commune.
    db.execute("DROP INDEX idx_hamlets_code")
    db.execute("CREATE UNIQUE INDEX idx_hamlets_commune_code ON hamlets (commune_id, code)")
    db.execute("DROP INDEX idx_residents_phone")
    db.execute("CREATE UNIQUE INDEX idx_residents_commune_phone ON residents (commune_id, phone)")
    # A phone's history across its communes (the province view, the message log).
    db.execute("CREATE INDEX idx_residents_phone ON residents (phone)")
    db.execute("DROP INDEX idx_requests_ref")
    db.execute("CREATE UNIQUE INDEX idx_requests_commune_ref ON requests (commune_id, ref)")
    db.execute("DROP INDEX idx_trips_rule_id_date")
    db.execute(
        "CREATE UNIQUE INDEX idx_trips_commune_rule_date ON trips (commune_id, rule_id, date)"
    )
    db.execute("CREATE INDEX idx_trips_commune_date ON trips (commune_id, date, session)")
    # The lists staff read, each within one commune.
    db.execute(
        "CREATE INDEX idx_requests_commune_status ON requests (commune_id, status, requested_at)"
    )
    db.execute("CREATE INDEX idx_requests_commune_at ON requests (commune_id, requested_at)")
    db.execute("CREATE INDEX idx_messages_commune_at ON messages (commune_id, created_at)")
    db.execute("CREATE INDEX idx_residents_commune_name ON residents (commune_id, name)")
    db.execute("CREATE INDEX idx_hamlets_commune ON hamlets (commune_id, route_order)")
    db.execute("CREATE INDEX idx_schedule_rules_commune ON schedule_rules (commune_id)")
    db.execute("CREATE INDEX idx_callbacks_commune ON callbacks (commune_id, status)")
    db.execute("CREATE INDEX idx_audit_log_commune ON audit_log (commune_id, at)")
    db.execute("CREATE INDEX idx_api_keys_commune ON api_keys (commune_id)")
    db.execute("CREATE INDEX idx_outbox_commune ON outbox (commune_id, status)")

    _rebuild(
        db,
        "dialogue_state",
        "CREATE TABLE dialogue_state (commune_id INTEGER NOT NULL DEFAULT 1, phone TEXT NOT NULL,"
        " state TEXT, data TEXT, updated_at TEXT, expires_at TEXT,"
        " PRIMARY KEY (commune_id, phone))",
        ("phone", "state", "data", "updated_at", "expires_at"),
    )
    _rebuild(
        db,
        "settings",
        "CREATE TABLE settings (commune_id INTEGER NOT NULL DEFAULT 1, key TEXT NOT NULL,"
        " value TEXT, PRIMARY KEY (commune_id, key))",
        ("key", "value"),
    )
    # The rename carried the catalogue-version triggers away with the old table.
    for event in ("INSERT", "UPDATE", "DELETE"):
        db.execute(
            f"CREATE TRIGGER catalog_changed_settings_{event.lower()} AFTER {event} ON settings "
            "BEGIN UPDATE catalog_version SET version = random() WHERE id = 1; END"
        )
    # One row per gateway device: id is the device's channel id (row 1: the default device).
    _rebuild(
        db,
        "gateway_state",
        "CREATE TABLE gateway_state (id INTEGER PRIMARY KEY,"
        " commune_id INTEGER NOT NULL DEFAULT 1,"
        " last_seen_at TEXT, last_event TEXT, device_id TEXT, app_version TEXT, gap_from TEXT,"
        " gap_until TEXT, recovery_asked_at TEXT, recovery_note TEXT)",
        (
            "id",
            "last_seen_at",
            "last_event",
            "device_id",
            "app_version",
            "gap_from",
            "gap_until",
            "recovery_asked_at",
            "recovery_note",
        ),
    )

    columns = ", ".join(f"{name} TEXT" for name in OVERRIDABLE)
    db.execute(
        "CREATE TABLE procedure_overrides (commune_id INTEGER NOT NULL REFERENCES communes(id),"
        f" code TEXT NOT NULL REFERENCES procedures(code), {columns}, updated_at TEXT,"
        " updated_by TEXT, PRIMARY KEY (commune_id, code))"
    )
    for event in ("INSERT", "UPDATE", "DELETE"):
        db.execute(
            f"CREATE TRIGGER catalog_changed_procedure_overrides_{event.lower()} AFTER {event}"
            " ON procedure_overrides"
            " BEGIN UPDATE catalog_version SET version = random() WHERE id = 1; END"
        )
        db.execute(
            f"CREATE TRIGGER catalog_changed_communes_{event.lower()} AFTER {event} ON communes"
            " BEGIN UPDATE catalog_version SET version = random() WHERE id = 1; END"
        )


@migrations(name="0019_trip_hamlets_by_hamlet")
def trip_hamlets_by_hamlet(db):
    """Find a hamlet's trips from the hamlet, not by walking every commune's coming trips.

    With a province on one server, "the next trip to this hamlet" started from all the
    trips ahead in time (every commune's) and kept those serving the hamlet.
    """
    db.execute("CREATE INDEX idx_trip_hamlets_hamlet ON trip_hamlets (hamlet_id, trip_id)")
