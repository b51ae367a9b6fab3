"""What staff are told of an outbound SMS: queued, sent, delivered, failed, or no status.

The SMS log keeps the provider's own words; this reduces them to five states an officer can
trust. A message the provider took but never reported on is not "waiting" for ever: after
NO_REPORT_AFTER it is shown as what it is, a message whose fate the provider did not tell.
A long message the gateway sent in parts is delivered only when every part is; one with a
failed part while others went is "partly failed" (counted with the failed ones), and staff
see how many of its parts were delivered and failed. The phone names no part (see
app.delivery.message_parts), so the counts are what can be shown.
"""

import datetime as dt

from app import communes
from app.infra import clock
from app.lifecycle import SMS_FAILED, SMS_WAITING, sql_list

QUEUED, SENT, DELIVERED, FAILED, NO_STATUS = "queued", "sent", "delivered", "failed", "no_status"
STATES = (QUEUED, SENT, DELIVERED, FAILED, NO_STATUS)
# A refinement of FAILED for a row of the log: some parts went, at least one did not.
PARTLY_FAILED = "partly_failed"
# Twilio calls back within seconds, the gateway phone within minutes of sending; after an
# hour with no word none is coming (old inline TwiML replies whose callback never came).
NO_REPORT_AFTER = dt.timedelta(hours=1)
WITH_PROVIDER = ("queued", "accepted", "sending")
DELIVERED_STATUSES = ("delivered", "read")
# What a query of the SMS log (alias m) adds to read each row's parts: LEFT JOIN PARTS_JOIN.
PARTS_COLUMNS = (
    "p.parts AS parts, p.sent AS parts_sent, p.delivered AS parts_delivered,"
    " p.failed AS parts_failed"
)
PARTS_JOIN = "message_parts p ON p.message_id = m.id"
# The same for a query of the outbox (alias o): a row's parts are those of its last send.
OUTBOX_PARTS_JOIN = "message_parts p ON p.message_id = o.message_id"


def of_message(row, now=None):
    """The state of an outbound row of the SMS log (read with its parts, when it has them)."""
    created = clock.parse(row["created_at"])
    recent = bool(created and (now or clock.now()) - created <= NO_REPORT_AFTER)
    state = _state_of(row["status"], recent=recent)
    found = parts_of(row)
    if state == FAILED and found and 0 < found["failed"] < found["parts"]:
        return PARTLY_FAILED
    return state


def parts_of(row):
    """A long message's parts as reported: {parts, sent, delivered, failed}, or None.

    ROW is a log row read with PARTS_COLUMNS; a one-part message, or one with no report of
    its parts, has none to show.
    """
    parts = row.get("parts")
    if not parts or parts < 2:
        return None
    return {
        "parts": parts,
        "sent": row.get("parts_sent") or 0,
        "delivered": row.get("parts_delivered") or 0,
        "failed": row.get("parts_failed") or 0,
    }


def of_outbox(row):
    """The state of an outbox row not yet in the SMS log (waiting, or given up)."""
    if row["status"] in SMS_WAITING:
        return QUEUED
    if row["status"] == "sent":
        return SENT
    found = parts_of(row)
    if found and 0 < found["failed"] < found["parts"]:
        return PARTLY_FAILED
    return FAILED


def counts(db, commune, now=None):
    """COMMUNE's outbound SMS per state, counted as the message log shows each row."""
    cutoff = clock.iso((now or clock.now()) - NO_REPORT_AFTER)
    found = dict.fromkeys(STATES, 0)
    waiting = communes.scoped_rows(
        db,
        commune,
        "SELECT count(*) AS n FROM outbox WHERE commune_id = :commune_id"
        f" AND status IN {sql_list(SMS_WAITING)}",
    )
    found[QUEUED] += waiting[0]["n"]
    # A send the provider refused has no log row: the outbox row is the failed message.
    unlogged = communes.scoped_rows(
        db,
        commune,
        "SELECT count(*) AS n FROM outbox o WHERE o.commune_id = :commune_id"
        " AND o.status = 'failed' AND NOT EXISTS"
        " (SELECT 1 FROM messages m WHERE m.outbox_id = o.id AND m.direction = 'out')",
    )
    found[FAILED] += unlogged[0]["n"]
    logged = communes.scoped_rows(
        db,
        commune,
        "SELECT status, created_at > :cutoff AS recent, count(*) AS n FROM messages"
        " WHERE commune_id = :commune_id AND direction = 'out' GROUP BY status, recent",
        {"cutoff": cutoff},
    )
    for row in logged:
        state = _state_of(row["status"], recent=bool(row["recent"]))
        found[state] += row["n"]
    return found


def _state_of(status, *, recent):
    """The state of a log status; RECENT: sent within NO_REPORT_AFTER."""
    if status in DELIVERED_STATUSES:
        return DELIVERED
    if status in SMS_FAILED:
        return FAILED
    if status == "sent":
        return SENT
    return QUEUED if status in WITH_PROVIDER and recent else NO_STATUS
