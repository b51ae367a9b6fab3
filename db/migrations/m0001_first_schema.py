"""Migrations 0001-0002: the WAL switch and the first schema.

People, places, the queue, messages and staff, as the service first shipped.
"""

from db.migrations.registry import migrations


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
