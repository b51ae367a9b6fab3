"""The SMS inbox: every inbound message is stored before it is answered, and answered once.

`handle_sms` stores the message first, then answers it in a second transaction, so a crash
while answering never loses what the resident wrote. A provider retry (the same dedupe key)
gets the replies stored the first time and changes nothing. It never touches flask.request:
both webhooks (and any future channel) call it with plain values.
"""

import logging
import unicodedata
from dataclasses import dataclass, field

from app import catalog, messages, outbox, phones, residents
from db import transaction
from sms import dialogue
from sms.replies import Answer

log = logging.getLogger(__name__)


@dataclass
class Outcome:
    """What became of one inbound SMS: its stored row, the replies and the intent."""

    inbound: dict
    replies: list = field(default_factory=list)
    intent: str = ""
    request: dict | None = None
    duplicate: bool = False


def handle_sms(
    db,
    *,
    phone,
    body,
    provider,
    provider_id,
    dedupe_key,
    reply_via="inline",
    opt_out_type=None,
):
    """Store one inbound SMS, work out the answer, store it and return an Outcome.

    REPLY_VIA "inline" leaves sending to the caller (TwiML); "outbox" queues each reply for
    the worker (the Android gateway cannot answer inline). A retried delivery (same
    DEDUPE_KEY) returns the replies stored the first time and changes nothing.
    """
    body = unicodedata.normalize("NFC", body or "")
    try:
        e164 = phones.normalise(phone)
    except phones.InvalidPhone:
        e164 = None
    with transaction(db):
        resident = residents.find_or_create(db, e164, raw=phone) if e164 else None
        inbound, is_new = messages.record_inbound(
            db,
            provider=provider,
            provider_id=provider_id,
            dedupe_key=dedupe_key,
            phone=e164 or str(phone or ""),
            body=body,
            resident_id=resident["id"] if resident else None,
        )
        if resident is None and inbound["intent"] is None:
            # Short codes and alphanumeric senders (carrier promotions) cannot be answered.
            inbound = messages.classify(db, inbound["id"], intent="bad_sender", status="ignored")
    if inbound["intent"] is not None:
        return _replayed(db, inbound, is_new)
    try:
        with transaction(db):
            # A copy of this delivery (a provider retry arriving at once, or one after a crash
            # between the two transactions) may have answered it since it was stored: whoever
            # holds the write lock first answers, the others send the same replies.
            if messages.get(db, inbound["id"])["intent"] is not None:
                answer = None
            else:
                answer = dialogue.converse(db, resident, inbound, body, opt_out_type)
                inbound = _store(db, resident, inbound, answer, provider, reply_via)
    except Exception:
        log.exception("SMS %s could not be answered; sending help", inbound["id"])
        answer = Answer("error", [catalog.sms("sms_help", resident["language"] or "vi")])
        with transaction(db):
            if messages.get(db, inbound["id"])["intent"] is not None:
                answer = None
            else:
                inbound = _store(db, resident, inbound, answer, provider, reply_via)
    if answer is None:
        return _replayed(db, messages.get(db, inbound["id"]), False)
    return Outcome(inbound, answer.replies, answer.intent, answer.request)


def _replayed(db, inbound, is_new):
    """The Outcome of a message already answered: the replies stored the first time."""
    if is_new:  # answered in the storing transaction (a sender that cannot be answered)
        return Outcome(inbound, [], inbound["intent"])
    stored = stored_replies(db, inbound)
    return Outcome(inbound, stored, inbound["intent"] or "", duplicate=True)


def _reply_key(inbound, number):
    """Outbox dedupe key of the NUMBER-th reply to an inbound message."""
    return f"reply:{inbound['id']}:{number}"


def stored_replies(db, inbound):
    """Return the reply bodies stored for an inbound message, inline or queued."""
    bodies = [row["body"] for row in messages.replies_to(db, inbound["id"])]
    return bodies or outbox.bodies_replying_to(db, inbound["id"])


def _store(db, resident, inbound, answer, provider, reply_via):
    """Store the replies (and queue them when they cannot go inline); classify the message."""
    request_id = answer.request["id"] if answer.request else None
    for number, body in enumerate(answer.replies):
        if reply_via == "outbox":
            # The outbox row is the stored reply; the sender logs it as a message when it
            # leaves, with the gateway's id, so delivery reports find it.
            outbox.enqueue(
                db,
                resident["phone"],
                body,
                kind="reply",
                request_id=request_id,
                dedupe_key=_reply_key(inbound, number),
                reply_to_id=inbound["id"],
            )
            continue
        messages.record_outbound(
            db,
            provider=provider,
            phone=resident["phone"],
            body=body,
            status="queued",
            reply_to_id=inbound["id"],
            request_id=request_id,
            resident_id=resident["id"],
            intent=answer.intent,
        )
    status = "replied" if answer.replies else "received"
    if answer.intent in ("rate_limited",):
        status = "ignored"
    return messages.classify(
        db, inbound["id"], intent=answer.intent, status=status, request_id=request_id
    )
