"""Migrations 0110-0119: daily report counters, kept by triggers in the writer's transaction.

report_daily holds, per commune, local day and figure, how many rows count towards it. A
request counts on the day it was asked (visits are a cohort), a message on the day it was
stored, a call on the day it began. The three report_*_keys views say which figures a row
counts towards; triggers take a row's figures away before it changes and add them back after,
so every writer (webhook, worker, console, CLI) keeps the counters without knowing of them,
and `flask report rebuild` recomputes them from the same views.
"""

import datetime as dt
import zoneinfo

from db.migrations.registry import migrations

# A local day is the UTC time shifted by the zone's standard offset: exact for zones without
# summer time, such as Asia/Ho_Chi_Minh. The SQL functions cannot read the tz database.
SHIFT = (
    "coalesce((SELECT z.shift FROM report_zones z JOIN communes c ON c.timezone = z.timezone"
    " WHERE c.id = {commune}), '+0 minutes')"
)
SMS_FAILED = "('failed', 'undelivered', 'cancelled', 'canceled')"
VOICEMAIL = "'voice:%:message'"

REQUEST_KEYS = f"""
CREATE VIEW report_request_keys AS
SELECT f.request_id, f.commune_id, f.day,
  CASE k.slot
    WHEN 1 THEN 'contacts.' || f.channel
    WHEN 2 THEN CASE WHEN f.kind = 'visit' THEN 'visits.requested' END
    WHEN 3 THEN CASE WHEN f.kind = 'visit' THEN 'visits.' || f.status END
    WHEN 4 THEN CASE WHEN f.wait IS NOT NULL
      THEN 'waiting.tenths.' || CAST(round(f.wait * 10) AS INTEGER) END
    WHEN 5 THEN CASE WHEN round(f.wait, 6) <= 7 THEN 'waiting.within_7_days' END
    WHEN 6 THEN CASE WHEN f.kind = 'question' THEN 'questions.count' END
    WHEN 7 THEN CASE WHEN f.source_key LIKE {VOICEMAIL} THEN 'delivery.voicemails' END
  END AS key
FROM (
  SELECT r.id AS request_id, r.commune_id, r.channel, r.kind, r.status, r.source_key,
    date(r.requested_at, {SHIFT.format(commune="r.commune_id")}) AS day,
    CASE WHEN r.kind = 'visit' AND r.status = 'visited' THEN
      julianday(coalesce(
        (SELECT min(e.at) FROM request_events e
          WHERE e.request_id = r.id AND e.to_status = 'visited'),
        r.closed_at, r.updated_at)) - julianday(r.requested_at)
    END AS wait
  FROM requests r
) f
CROSS JOIN (SELECT 1 AS slot UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4
  UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7) k
WHERE key IS NOT NULL
"""

MESSAGE_KEYS = f"""
CREATE VIEW report_message_keys AS
SELECT m.id AS message_id, m.commune_id,
  date(m.created_at, {SHIFT.format(commune="m.commune_id")}) AS day,
  CASE
    WHEN m.direction = 'out' AND m.provider != 'voice' AND m.status IN {SMS_FAILED}
      THEN 'delivery.sms_failed'
    WHEN m.direction = 'out' AND m.provider != 'voice' THEN 'delivery.sms_sent'
    WHEN m.direction = 'in' AND m.intent = 'guidance' THEN 'procedures.guidance_answers'
  END AS key
FROM messages m
WHERE key IS NOT NULL
"""

CALL_KEYS = f"""
CREATE VIEW report_call_keys AS
SELECT c.rowid AS call_id, c.commune_id,
  date(c.started_at, {SHIFT.format(commune="c.commune_id")}) AS day,
  'delivery.calls' AS key
FROM calls c
WHERE c.direction = 'inbound'
"""


def _add(view, column, row, sign):
    # "WHERE true" lets SQLite read ON CONFLICT as the upsert of an INSERT ... SELECT.
    return (
        f"INSERT INTO report_daily (commune_id, day, key, n)"
        f" SELECT commune_id, day, key, {sign} FROM {view} WHERE {column} = {row} AND true"
        f" ON CONFLICT (commune_id, day, key) DO UPDATE SET n = n + excluded.n;"
    )


def _keep(db, table, view, column, watched):
    """Triggers that move the figures of TABLE's rows in report_daily as rows come, change, go."""
    of = ", ".join(watched)
    for name, timing, event, action in (
        ("insert", "AFTER", "INSERT", _add(view, column, "NEW.rowid", 1)),
        ("before_update", "BEFORE", f"UPDATE OF {of}", _add(view, column, "OLD.rowid", -1)),
        ("after_update", "AFTER", f"UPDATE OF {of}", _add(view, column, "NEW.rowid", 1)),
        ("delete", "BEFORE", "DELETE", _add(view, column, "OLD.rowid", -1)),
    ):
        db.execute(
            f"CREATE TRIGGER report_{table}_{name} {timing} {event} ON {table} BEGIN {action} END"
        )


def _follow_events(db):
    """A visit's wait runs to its first 'visited' event: such an event moves its request."""
    both = "(OLD.request_id, NEW.request_id)"
    view, column = "report_request_keys", "request_id"
    for name, timing, event, when, rows, sign in (
        ("before_insert", "BEFORE", "INSERT", "NEW.to_status = 'visited'", "(NEW.request_id)", -1),
        ("after_insert", "AFTER", "INSERT", "NEW.to_status = 'visited'", "(NEW.request_id)", 1),
        ("before_update", "BEFORE", "UPDATE OF request_id, to_status, at", None, both, -1),
        ("after_update", "AFTER", "UPDATE OF request_id, to_status, at", None, both, 1),
        ("before_delete", "BEFORE", "DELETE", "OLD.to_status = 'visited'", "(OLD.request_id)", -1),
        ("after_delete", "AFTER", "DELETE", "OLD.to_status = 'visited'", "(OLD.request_id)", 1),
    ):
        when = when or "OLD.to_status = 'visited' OR NEW.to_status = 'visited'"
        action = (
            "INSERT INTO report_daily (commune_id, day, key, n)"
            f" SELECT commune_id, day, key, {sign} FROM {view} WHERE {column} IN {rows} AND true"
            " ON CONFLICT (commune_id, day, key) DO UPDATE SET n = n + excluded.n;"
        )
        db.execute(
            f"CREATE TRIGGER report_request_events_{name} {timing} {event} ON request_events"
            f" WHEN {when} BEGIN {action} END"
        )


def _shift(zone_name):
    """SQLite's modifier for ZONE_NAME's standard offset, e.g. '+420 minutes'."""
    zone = zoneinfo.ZoneInfo(zone_name)
    january = dt.datetime(2026, 1, 1, tzinfo=zone)
    offset = january.utcoffset() - january.dst()
    return f"{int(offset.total_seconds() // 60):+d} minutes"


@migrations(name="0110_report_counters")
def report_counters(db):
    """The daily counters, the views saying what each row counts towards, and their triggers."""
    db["report_zones"].create({"timezone": str, "shift": str}, pk="timezone", not_null={"shift"})
    names = set(zoneinfo.available_timezones()) | {
        row[0] for row in db.execute("SELECT DISTINCT timezone FROM communes")
    }
    shifts = []
    for name in sorted(names):
        try:
            shifts.append({"timezone": name, "shift": _shift(name)})
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            continue
    db["report_zones"].insert_all(shifts)
    db.execute(
        "CREATE TABLE report_daily (commune_id INTEGER NOT NULL, day TEXT NOT NULL,"
        " key TEXT NOT NULL, n INTEGER NOT NULL, PRIMARY KEY (commune_id, day, key))"
        " WITHOUT ROWID"
    )
    # The province's page reads one month of every commune.
    db.execute("CREATE INDEX idx_report_daily_day ON report_daily (day, commune_id, key, n)")
    # Late questions are read from the requests: the month's questions of every commune.
    db.execute(
        "CREATE INDEX idx_requests_kind_commune_at ON requests (kind, commune_id, requested_at)"
    )
    db.execute(REQUEST_KEYS)
    db.execute(MESSAGE_KEYS)
    db.execute(CALL_KEYS)
    _keep(
        db,
        "requests",
        "report_request_keys",
        "request_id",
        ("commune_id", "requested_at", "channel", "kind", "status", "source_key")
        + ("closed_at", "updated_at"),
    )
    _keep(
        db,
        "messages",
        "report_message_keys",
        "message_id",
        ("commune_id", "created_at", "direction", "provider", "status", "intent"),
    )
    _keep(db, "calls", "report_call_keys", "call_id", ("commune_id", "started_at", "direction"))
    _follow_events(db)
    db.execute(
        "INSERT INTO report_daily (commune_id, day, key, n)"
        " SELECT commune_id, day, key, count(*) FROM (" + UNION_ALL + ")"
        " GROUP BY commune_id, day, key"
    )


UNION_ALL = (
    "SELECT commune_id, day, key FROM report_request_keys"
    " UNION ALL SELECT commune_id, day, key FROM report_message_keys"
    " UNION ALL SELECT commune_id, day, key FROM report_call_keys"
)
