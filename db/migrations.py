"""Schema migrations, applied once by `flask init-db` before any worker starts."""

from sqlite_utils import Migrations

migrations = Migrations("hamlet-line")


@migrations(name="0001_wal", transactional=False)
def enable_wal(db):
    """Switch the file to WAL so readers never block the writer."""
    db.execute("PRAGMA journal_mode=WAL")


@migrations(name="0002_core_schema")
def core_schema(db):
    """Create the first schema: people, places, the queue, messages and staff."""
    db["settings"].create({"key": str, "value": str}, pk="key")

    db["hamlets"].create(
        {
            "id": int,
            "code": str,  # folded name, e.g. PHUHOAA; matched exactly by the SMS parser
            "name": str,  # accented name shown and spoken
            "old_commune": str,
            "route_order": int,
            "active": int,
            "source": str,
            "as_of": str,
        },
        pk="id",
        not_null={"code", "name"},
        defaults={"active": 1, "route_order": 0},
    )
    db["hamlets"].create_index(["code"], unique=True)

    db["residents"].create(
        {
            "id": int,
            "phone": str,  # E.164
            "phone_raw": str,
            "name": str,
            "hamlet_id": int,
            "language": str,
            "birth_year": int,
            "age_75_plus": int,
            "lives_alone": int,
            "limited_mobility": int,
            "opted_out": int,
            "opted_out_at": str,
            "flagged_at": str,
            "flag_reason": str,
            "notes": str,
            "created_at": str,
            "updated_at": str,
        },
        pk="id",
        not_null={"phone"},
        defaults={
            "language": "vi",
            "age_75_plus": 0,
            "lives_alone": 0,
            "limited_mobility": 0,
            "opted_out": 0,
        },
        foreign_keys=[("hamlet_id", "hamlets", "id")],
    )
    db["residents"].create_index(["phone"], unique=True)
    db["residents"].create_index(["hamlet_id"])
    db["residents"].create_index(["name"])

    db["procedures"].create(
        {
            "code": str,
            "menu_number": int,
            "name": str,
            "name_en": str,
            "summary": str,
            "synonyms": str,  # JSON list of folded words
            "steps": str,  # JSON list of accented steps (voice, staff, trip sheet)
            "documents": str,  # JSON list of accented documents to bring
            "fee_note": str,
            "deadline_note": str,
            "where_note": str,
            "sms_steps": str,  # accented; folded to one GSM-7 segment for SMS
            "sms_documents": str,
            "sms_steps_en": str,
            "sms_documents_en": str,
            "verified_as_of": str,
            "active": int,
        },
        pk="code",
        not_null={"name"},
        defaults={"active": 1},
    )

    db["schedule_rules"].create(
        {
            "id": int,
            "weekday": int,  # Monday = 0, as in datetime.weekday()
            "session": str,  # morning | afternoon
            "start_time": str,  # local HH:MM
            "end_time": str,
            "capacity": int,
            "active": int,
        },
        pk="id",
        defaults={"active": 1, "session": "morning"},
    )
    db["rule_hamlets"].create(
        {"rule_id": int, "hamlet_id": int},
        pk=("rule_id", "hamlet_id"),
        foreign_keys=[("rule_id", "schedule_rules", "id"), ("hamlet_id", "hamlets", "id")],
    )

    db["trips"].create(
        {
            "id": int,
            "date": str,  # local date YYYY-MM-DD
            "session": str,
            "starts_at": str,  # UTC ISO-8601
            "ends_at": str,
            "capacity": int,
            "status": str,  # planned | cancelled | done
            "rule_id": int,
            "is_extra": int,
            "note": str,
            "created_at": str,
        },
        pk="id",
        defaults={"status": "planned", "is_extra": 0},
        foreign_keys=[("rule_id", "schedule_rules", "id")],
    )
    db["trips"].create_index(["date", "session"], unique=True)
    db["trips"].create_index(["starts_at"])
    db["trip_hamlets"].create(
        {"trip_id": int, "hamlet_id": int},
        pk=("trip_id", "hamlet_id"),
        foreign_keys=[("trip_id", "trips", "id"), ("hamlet_id", "hamlets", "id")],
    )

    db["requests"].create(
        {
            "id": int,
            "ref": str,  # short code residents read out
            "kind": str,  # visit | question
            "service_code": str,  # VISIT, QUESTION or a procedure code
            "resident_id": int,
            "hamlet_id": int,
            "channel": str,  # sms | voice | staff | api
            "status": str,
            "status_notes": str,
            "description": str,
            "priority": int,  # higher first: vulnerable residents
            "trip_id": int,
            "expected_datetime": str,  # UTC ISO-8601, follows the trip
            "recording_url": str,
            "recording_sid": str,
            "recording_duration": int,
            "source_key": str,  # provider id of what opened it, for idempotency
            "requested_at": str,
            "updated_at": str,
            "closed_at": str,
        },
        pk="id",
        not_null={"ref", "kind", "service_code", "status", "channel"},
        defaults={"priority": 0},
        foreign_keys=[
            ("resident_id", "residents", "id"),
            ("hamlet_id", "hamlets", "id"),
            ("trip_id", "trips", "id"),
        ],
    )
    db["requests"].create_index(["ref"], unique=True)
    db["requests"].create_index(["source_key"], unique=True)
    db["requests"].create_index(["resident_id", "status"])
    db["requests"].create_index(["trip_id", "priority", "requested_at"])
    db["requests"].create_index(["status", "requested_at"])
    db["requests"].create_index(["hamlet_id", "requested_at"])
    db["requests"].create_index(["requested_at"])

    db["request_events"].create(
        {
            "id": int,
            "request_id": int,
            "at": str,
            "actor_type": str,  # staff | resident | system | api
            "actor": str,
            "channel": str,
            "action": str,
            "from_status": str,
            "to_status": str,
            "note": str,
        },
        pk="id",
        foreign_keys=[("request_id", "requests", "id")],
    )
    db["request_events"].create_index(["request_id", "at"])

    db["messages"].create(
        {
            "id": int,
            "direction": str,  # in | out
            "provider": str,  # twilio | gateway | console | voice
            "provider_id": str,
            "dedupe_key": str,  # inbound: provider + id; unique so retries collapse
            "phone": str,
            "resident_id": int,
            "body": str,
            "intent": str,
            "status": str,  # received | replied | queued | sent | delivered | failed | ...
            "error_code": str,
            "error_message": str,
            "request_id": int,
            "reply_to_id": int,
            "outbox_id": int,
            "created_at": str,
            "updated_at": str,
        },
        pk="id",
        not_null={"direction", "phone"},
        foreign_keys=[
            ("resident_id", "residents", "id"),
            ("request_id", "requests", "id"),
        ],
    )
    db["messages"].create_index(["dedupe_key"], unique=True)
    db["messages"].create_index(["provider", "provider_id"])
    db["messages"].create_index(["phone", "created_at"])
    db["messages"].create_index(["request_id"])
    db["messages"].create_index(["reply_to_id"])
    db["messages"].create_index(["status", "created_at"])

    db["outbox"].create(
        {
            "id": int,
            "phone": str,
            "body": str,
            "kind": str,  # confirmation | reminder | visited | rescheduled | answer | voice_copy
            "request_id": int,
            "trip_id": int,
            "dedupe_key": str,  # e.g. reminder:<request>:<trip>; one row ever
            "status": str,  # pending | leased | sent | failed | cancelled
            "attempts": int,
            "next_attempt_at": str,
            "lease_owner": str,
            "lease_expires_at": str,
            "idempotency_key": str,
            "provider": str,
            "provider_id": str,
            "last_error": str,
            "message_id": int,
            "created_at": str,
            "sent_at": str,
        },
        pk="id",
        not_null={"phone", "body", "status"},
        defaults={"status": "pending", "attempts": 0},
        foreign_keys=[("request_id", "requests", "id"), ("trip_id", "trips", "id")],
    )
    db["outbox"].create_index(["dedupe_key"], unique=True)
    db["outbox"].create_index(["status", "next_attempt_at"])
    db["outbox"].create_index(["request_id"])

    db["dialogue_state"].create(
        {"phone": str, "state": str, "data": str, "updated_at": str, "expires_at": str},
        pk="phone",
    )

    db["calls"].create(
        {
            "call_sid": str,
            "phone": str,
            "resident_id": int,
            "direction": str,  # inbound | outbound-callback
            "status": str,
            "language": str,
            "data": str,  # JSON: menu state for this call
            "started_at": str,
            "updated_at": str,
            "ended_at": str,
        },
        pk="call_sid",
    )
    db["calls"].create_index(["phone"])
    db["call_steps"].create(
        {"key": str, "call_sid": str, "step": str, "digits": str, "twiml": str, "at": str},
        pk="key",  # call_sid + step + digits: a retried step replays its TwiML
    )
    db["call_steps"].create_index(["call_sid"])

    db["callbacks"].create(
        {
            "id": int,
            "phone": str,
            "request_id": int,
            "requested_by": str,
            "status": str,  # pending | calling | completed | failed
            "attempts": int,
            "next_attempt_at": str,
            "call_sid": str,
            "last_status": str,
            "created_at": str,
            "updated_at": str,
        },
        pk="id",
        defaults={"status": "pending", "attempts": 0},
    )
    db["callbacks"].create_index(["status", "next_attempt_at"])

    db["staff_users"].create(
        {
            "id": int,
            "username": str,
            "display_name": str,
            "password_hash": str,
            "role": str,  # staff | admin
            "active": int,
            "language": str,
            "created_at": str,
            "last_login_at": str,
        },
        pk="id",
        not_null={"username", "password_hash", "role"},
        defaults={"active": 1},
    )
    db["staff_users"].create_index(["username"], unique=True)
    db["login_attempts"].create(
        {"id": int, "username": str, "remote_addr": str, "at": str, "ok": int}, pk="id"
    )
    db["login_attempts"].create_index(["remote_addr", "at"])

    db["api_keys"].create(
        {
            "id": int,
            "name": str,
            "prefix": str,  # first characters, shown to admins to tell keys apart
            "key_hash": str,  # sha256 of the key; the key itself is shown once
            "created_at": str,
            "revoked_at": str,
            "last_used_at": str,
        },
        pk="id",
        not_null={"name", "key_hash"},
    )
    db["api_keys"].create_index(["key_hash"], unique=True)

    db["jobs"].create(
        {"name": str, "last_run_at": str, "note": str},
        pk="name",  # scheduled job bookkeeping for the worker
    )


@migrations(name="0003_trips_per_rule")
def trips_per_rule(db):
    """Make rule trips unique per rule and day, so extra trips can share a day and session."""
    # A cancelled rule trip stays as a marker (never regenerated), and staff can still add
    # an extra trip on that same morning; the old (date, session) key forbade both.
    db.execute("DROP INDEX IF EXISTS idx_trips_date_session")
    db.execute("CREATE UNIQUE INDEX idx_trips_rule_id_date ON trips (rule_id, date)")
    db.execute("CREATE INDEX idx_trips_date_session ON trips (date, session)")
    db["outbox"].add_column("failed_at", str)
    db.execute("CREATE INDEX idx_outbox_status_lease ON outbox (status, lease_expires_at)")


@migrations(name="0004_trips_who")
def trips_who(db):
    """Record who added or cancelled a trip and who last edited a schedule rule."""
    db["trips"].add_column("created_by", str)
    db["trips"].add_column("cancelled_by", str)
    db["trips"].add_column("cancelled_at", str)
    db["schedule_rules"].add_column("updated_by", str)
    db["schedule_rules"].add_column("updated_at", str)


@migrations(name="0005_staff_queue_indexes")
def staff_queue_indexes(db):
    """Index what the staff queue's "needs attention" lists look up."""
    # Visits waiting without a trip: most closed history also has no trip, so the
    # (trip_id, ...) index would walk the whole table; (status, trip_id) goes straight there.
    db["requests"].create_index(["status", "trip_id"])
    db["residents"].create_index(["flagged_at"])


@migrations(name="0006_outbox_reply_to")
def outbox_reply_to(db):
    """Link a queued reply (gateway replies leave through the outbox) to the inbound SMS."""
    db["outbox"].add_column("reply_to_id", int)
    db["outbox"].create_index(["reply_to_id"])


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


@migrations(name="0013_staff_sessions")
def staff_sessions(db):
    """Session versions, a forced password change, and sign-in throttling per name and device."""
    # A saved session cookie carries the version it was issued under; logout, a password
    # change or deactivation bumps it, so every older cookie stops working at once.
    db["staff_users"].add_column("session_version", int, not_null_default=0)
    db["staff_users"].add_column("must_change_password", int, not_null_default=0)
    db["login_attempts"].add_column("device", str)
    db["login_attempts"].create_index(["username", "at"])


@migrations(name="0014_callback_per_missed_call")
def callback_per_missed_call(db):
    """At most one call-back per missed inbound call, however often its status is replayed."""
    db["callbacks"].add_column("missed_call_sid", str)
    db.execute(
        "CREATE UNIQUE INDEX idx_callbacks_missed_call_sid ON callbacks (missed_call_sid)"
        " WHERE missed_call_sid IS NOT NULL"
    )


@migrations(name="0015_rate_hits")
def rate_hits(db):
    """Hits counted against sliding-window limits (Open311 filing per key and per phone)."""
    db["rate_hits"].create(
        {"id": int, "bucket": str, "at": str}, pk="id", not_null={"bucket", "at"}
    )
    db["rate_hits"].create_index(["bucket", "at"])


@migrations(name="0016_outbox_attempts")
def outbox_attempts(db):
    """Record every attempt at an outbound message, and when its next one must look first.

    Twilio's REST API is not idempotent: after an ambiguous attempt (a timeout, a 5xx, a
    reset connection, a worker that died mid-send) the next one looks the message up before
    sending again. first_attempt_at bounds that lookup.
    """
    db["outbox"].add_column("first_attempt_at", str)
    db["outbox"].add_column("lookup_needed", int, not_null_default=0)
    db["outbox_attempts"].create(
        {
            "id": int,
            "outbox_id": int,
            "attempt": int,
            "at": str,
            "action": str,  # send | lookup
            "outcome": str,  # accepted | found | not_found | ambiguous | error | setup | ...
            "provider_id": str,
            "status": str,
            "detail": str,
        },
        pk="id",
        not_null={"outbox_id", "at", "action", "outcome"},
        foreign_keys=[("outbox_id", "outbox", "id")],
    )
    db["outbox_attempts"].create_index(["outbox_id"])


@migrations(name="0017_gateway_watch")
def gateway_watch(db):
    """When the gateway phone was last heard from, the SIM each message came in on, and checks.

    gateway_state is one row: the last signed webhook, and a silent window the phone must
    re-deliver its inbox for. gateway_inbound keeps the SIM of each inbound gateway message,
    so the reply leaves from the number the resident wrote to.
    """
    db.execute(
        "CREATE TABLE gateway_state (id INTEGER PRIMARY KEY CHECK (id = 1), last_seen_at TEXT,"
        " last_event TEXT, device_id TEXT, app_version TEXT, gap_from TEXT, gap_until TEXT,"
        " recovery_asked_at TEXT, recovery_note TEXT)"
    )
    db.execute("INSERT INTO gateway_state (id) VALUES (1)")
    db["gateway_inbound"].create(
        {"dedupe_key": str, "phone": str, "sim_number": int, "received_at": str},
        pk="dedupe_key",
    )
    db["gateway_inbound"].create_index(["phone"])
    db["messages"].add_column("delivery_checked_at", str)
    db["outbox_attempts"].create_index(["outcome", "id"])
