"""Delivery of a long SMS part by part: what the Android gateway reports, counted once.

What SMS Gateway for Android reports for a message of several parts (capcom6/android-sms-gateway
v1.68, MessagesService.sendSMS and processStateIntent; docs.sms-gate.app, Webhooks,
"Multipart Message Behavior"):

- Android splits the text (divideMessage) and the app stores the number of parts; `sms:sent`
  carries it as `partsCount`. Android calls the app back once per part, with no part number.
- `sms:delivered` comes once for every part the network confirms.
- `sms:failed` comes once for every part that fails, whether at sending ("Send result: ...")
  or in the part's delivery report ("Delivery result from SC ..."). A message that never
  reached the radio (no SIM, expired) fails once for the whole message, with another reason.
- `sms:sent` comes once per message on apps that look for Android's `uri` extra (v1.68 and
  before: Android adds it only to the last part's callback), once per part on later ones.
- Each webhook has its own `id`, kept across the app's retries: a report is counted once
  under that id, however often it is posted and in whatever order.

The state check (GET /messages/{id}) reports no parts, only each recipient's state: Failed
once any part failed, Delivered once any part was delivered. It can only say "at least one".
So a message is delivered only when a delivery report of every part has come; one with a
failed part is failed (partly, when some parts went) and goes to staff, never resent by
itself. Twilio reports a long message as one (its status covers every segment), so only
the gateway's messages have parts counted here.
"""

from app.delivery import gateway_budget, messages, outbox
from app.infra import clock
from db import first, rows

# What one report says: about one part, about every part, or (from the state check) at least one.
PART_SENT, PART_DELIVERED, PART_FAILED = "sent", "delivered", "failed"
ALL_FAILED = "failed_all"
CHECKED = {"sent": "check_sent", "delivered": "check_delivered", "failed": "check_failed"}
# The app's words for a failure of one part (MessagesService.processStateIntent).
PART_FAILURE_PREFIXES = ("Send result", "Delivery result")


def failure_kind(reason):
    """Whether a gateway failure REASON is about one part or about the whole message."""
    return PART_FAILED if (reason or "").startswith(PART_FAILURE_PREFIXES) else ALL_FAILED


def of_message(db, message_id):
    """The parts row of outbound message MESSAGE_ID, or None when nothing was reported."""
    return first(
        db, "SELECT * FROM message_parts WHERE message_id = :message_id", {"message_id": message_id}
    )


def _outbound(db, provider_id, commune_id=None):
    """The outbound gateway message PROVIDER_ID (of COMMUNE_ID only, when given), or None."""
    scope = " AND commune_id = :commune_id" if commune_id is not None else ""
    return first(
        db,
        "SELECT * FROM messages WHERE provider = 'gateway' AND provider_id = :provider_id"
        " AND direction = 'out'" + scope,
        {"provider_id": provider_id, "commune_id": commune_id},
    )


def _ensure(db, message, parts_count):
    """Create MESSAGE's parts row (counted as the sending budget did); the phone's count wins."""
    stamp = clock.iso(clock.now())
    db.execute(
        "INSERT INTO message_parts (message_id, commune_id, parts, updated_at)"
        " VALUES (:message_id, :commune_id, :parts, :stamp) ON CONFLICT (message_id) DO NOTHING",
        {
            "message_id": message["id"],
            "commune_id": message["commune_id"],
            "parts": gateway_budget.parts(message["body"]),
            "stamp": stamp,
        },
    )
    if isinstance(parts_count, int) and not isinstance(parts_count, bool) and parts_count > 0:
        # Android's own split: the one the phone's limit counted.
        cursor = db.execute(
            "UPDATE message_parts SET parts = :parts, updated_at = :stamp"
            " WHERE message_id = :message_id AND parts != :parts",
            {"parts": parts_count, "stamp": stamp, "message_id": message["id"]},
        )
        if cursor.rowcount and message["outbox_id"]:
            gateway_budget.correct_parts(db, message["outbox_id"], parts_count)


def _recount(db, message_id):
    """Count MESSAGE_ID's parts again from its reports; return the parts row."""
    found = {
        row["kind"]: row["n"]
        for row in rows(
            db,
            "SELECT kind, count(*) AS n FROM part_reports WHERE message_id = :message_id"
            " GROUP BY kind",
            {"message_id": message_id},
        )
    }
    parts = of_message(db, message_id)["parts"]
    if found.get(ALL_FAILED):
        failed = parts
    else:
        failed = max(found.get(PART_FAILED, 0), min(found.get(CHECKED["failed"], 0), 1))
    failed = min(failed, parts)
    # A part either is delivered or fails; the state check proves one part at most.
    delivered = max(found.get(PART_DELIVERED, 0), min(found.get(CHECKED["delivered"], 0), 1))
    delivered = min(delivered, parts - failed)
    # Parts known to have left the phone: at least those reported sent, and every delivered one.
    sent = max(found.get(PART_SENT, 0), min(found.get(CHECKED["sent"], 0), 1), delivered)
    sent = min(sent, parts)
    db.execute(
        "UPDATE message_parts SET sent = :sent, delivered = :delivered, failed = :failed,"
        " updated_at = :stamp WHERE message_id = :message_id",
        {
            "sent": sent,
            "delivered": delivered,
            "failed": failed,
            "stamp": clock.iso(clock.now()),
            "message_id": message_id,
        },
    )
    return of_message(db, message_id)


def _failure_reason(db, message_id):
    """The phone's words for the latest failure among MESSAGE_ID's reports, if any."""
    found = first(
        db,
        "SELECT reason FROM part_reports WHERE message_id = :message_id"
        " AND kind IN (:part, :whole, :checked) AND reason IS NOT NULL ORDER BY id DESC LIMIT 1",
        {
            "message_id": message_id,
            "part": PART_FAILED,
            "whole": ALL_FAILED,
            "checked": CHECKED["failed"],
        },
    )
    return found["reason"] if found else None


def status_of(parts):
    """The SMS log status a parts row amounts to: delivered only when every part is."""
    if parts["failed"]:
        return "failed"
    if parts["delivered"] >= parts["parts"]:
        return "delivered"
    if parts["sent"] or parts["delivered"]:
        return "sent"
    return None


def summary(parts, reason=None):
    """Staff's note of a message with failed parts: how many of how many, and the phone's reason."""
    text = f"{parts['failed']} of {parts['parts']} parts failed"
    return f"{text}: {reason}" if reason else text


def record(db, *, provider_id, kind, report_key, parts_count=None, reason=None, commune_id=None):
    """Count one gateway report of KIND once under REPORT_KEY, then move the message on.

    Runs inside the caller's transaction. A failed part fails the message (partly, when some
    parts went) and lists it for staff; a message is delivered only when every part is.
    Returns the message's parts row, or None when the message is not ours (or, with
    COMMUNE_ID, not that commune's: a phone reports only on its own commune's messages).
    """
    message = _outbound(db, provider_id, commune_id)
    if message is None:
        return None
    _ensure(db, message, parts_count)
    db.execute(
        "INSERT INTO part_reports (commune_id, message_id, report_key, kind, reason, at)"
        " VALUES (:commune_id, :message_id, :report_key, :kind, :reason, :at)"
        " ON CONFLICT (report_key) DO NOTHING",
        {
            "commune_id": message["commune_id"],
            "message_id": message["id"],
            "report_key": report_key,
            "kind": kind,
            "reason": reason,
            "at": clock.iso(clock.now()),
        },
    )
    parts = _recount(db, message["id"])
    status = status_of(parts)
    if status is None:
        return parts
    if status == "failed":
        reason = _failure_reason(db, message["id"]) or reason
    note = summary(parts, reason) if status == "failed" and parts["parts"] > 1 else reason
    updated = messages.update_delivery(
        db, provider="gateway", provider_id=provider_id, status=status, error_message=note
    )
    if status == "failed":
        if updated is None and note and parts["parts"] > 1:
            # A later failed part of a message already failed: the note counts it too.
            db.execute(
                "UPDATE messages SET error_message = :note WHERE id = :message_id",
                {"note": note, "message_id": message["id"]},
            )
        outbox.mark_provider_failure(db, message["outbox_id"], note or "failed")
    return parts


def webhook_report(
    db, *, commune_id, event_id, event, provider_id, recipient, at, parts_count, reason
):
    """Count one sms:sent, sms:delivered or sms:failed webhook of COMMUNE_ID's phone once."""
    if event == "failed":
        kind = failure_kind(reason)
    else:
        kind = PART_DELIVERED if event == "delivered" else PART_SENT
    # The app's event id is kept across its retries; without one, the report's own time.
    key = f"gw:{event_id}" if event_id else f"gw:{provider_id}:{recipient}:{kind}:{at}"
    return record(
        db,
        provider_id=provider_id,
        kind=kind,
        report_key=key,
        parts_count=parts_count if event == "sent" else None,
        reason=reason,
        commune_id=commune_id,
    )


def check_report(db, *, provider_id, status, reason):
    """Count what a state check found (STATUS, as the SMS log words it) once per message."""
    kind = CHECKED.get(status)
    if kind is None:
        messages.update_delivery(
            db, provider="gateway", provider_id=provider_id, status=status, error_message=reason
        )
        return None
    return record(
        db,
        provider_id=provider_id,
        kind=kind,
        report_key=f"check:{provider_id}:{status}",
        reason=reason,
    )
