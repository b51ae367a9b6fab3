"""The SMS inbox: every inbound message is stored before it is answered, and answered once.

The doors (the webhooks, the simulator) store a message as waiting through the domain's
`waiting.take`, in one short transaction and nothing else, so the provider gets its answer
at once (DESIGN.md principle 5). The worker calls `answer_waiting`: it leases a phone's
waiting messages and answers each in arrival order, in one write transaction that queues
the replies in the outbox and deletes the waiting row, with a savepoint around the answer:
if answering fails, the answer's half-done work is rolled back, the message is still marked
answered, and it goes to staff as a question (DESIGN.md principle 8). A crash before that
commit leaves the message waiting, and the next lease answers it. A provider retry (the
same dedupe key) stores nothing new.
`handle_sms` stores and answers in one go (the replies inline or queued). Nothing here
touches flask.request: every channel calls it with plain values.
"""

import logging
import unicodedata
from dataclasses import dataclass, field

from app import communes, residents
from app.catalogue import catalog
from app.delivery import messages, outbox, waiting
from db import cache, transaction
from sms import dialogue, intents
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
    # The stored rows of inline replies, when this delivery stored them (the TwiML needs ids).
    reply_rows: list | None = None


def handle_sms(db, *, commune, **message):
    """Store and answer one inbound SMS that reached COMMUNE (see _handle); an Outcome."""
    with communes.bound(commune):
        return _handle(db, **message)


def answer_waiting(db, owner=None, *, phones=20):
    """Lease the waiting messages of up to PHONES phones and answer each; return how many.

    The worker's loop (and the tests) call it; one phone's messages are answered in arrival
    order, each in its own transaction.
    """
    owner = owner or outbox.new_owner()
    answered = 0
    known = {}
    for row in waiting.lease(db, owner, phones=phones):
        commune_id = row["commune_id"]
        if commune_id not in known:
            known[commune_id] = communes.by_id(db, commune_id)
        with communes.bound(known[commune_id]):
            if not _answer(db, row, owner):
                break  # the lease went to another worker: leave the rest to it
        answered += 1
    return answered


def _answer(db, row, owner):
    """Answer one waiting message if OWNER still holds its lease; False if it does not."""
    with transaction(db), cache.pinned(db):
        if not waiting.finish(db, row["message_id"], owner):
            return False
        inbound = messages.get(db, row["message_id"])
        if inbound is None or inbound["intent"] is not None:
            return True  # answered already (by a one-shot handle_sms)
        e164 = waiting.sender_e164(row["phone_raw"])
        resident = residents.by_phone(db, e164) if e164 else None
        first_message = e164 is not None and resident is None
        if first_message:
            resident = residents.create(db, e164, raw=row["phone_raw"] or e164)
        if resident is None:
            # Short codes and alphanumeric senders (carrier promotions) cannot be answered.
            messages.classify(db, inbound["id"], intent="bad_sender", status="ignored")
            return True
        _understand(
            db,
            resident,
            inbound,
            inbound["body"] or "",
            row["opt_out_type"],
            first_message,
            inbound["provider"],
            "outbox",
        )
    return True


def _handle(
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
    e164 = waiting.sender_e164(phone)
    # Nothing in here edits the catalogue, so its version token is read once.
    with transaction(db), cache.pinned(db):
        resident = residents.by_phone(db, e164) if e164 else None
        first_message = e164 is not None and resident is None
        if first_message:
            resident = residents.create(db, e164, raw=phone)
        inbound, is_new = messages.record_inbound(
            db,
            provider=provider,
            provider_id=provider_id,
            dedupe_key=dedupe_key,
            phone=e164 or str(phone or ""),
            body=body,
            resident_id=resident["id"] if resident else None,
        )
        if inbound["intent"] is not None:
            return _replayed(db, inbound)
        if resident is None:
            # Short codes and alphanumeric senders (carrier promotions) cannot be answered.
            inbound = messages.classify(db, inbound["id"], intent="bad_sender", status="ignored")
            return Outcome(inbound, [], inbound["intent"])
        # A message stored but never answered (by a version that answered in a second
        # transaction, cut short by a crash) is answered now, like a new one.
        inbound, answer, reply_rows = _understand(
            db, resident, inbound, body, opt_out_type, first_message, provider, reply_via
        )
    return Outcome(inbound, answer.replies, answer.intent, answer.request, reply_rows=reply_rows)


def _understand(db, resident, inbound, body, opt_out_type, first_message, provider, reply_via):
    """Answer a stored message inside the caller's transaction; (message, Answer, reply rows)."""
    try:
        with transaction(db):  # a savepoint: a failed answer leaves no half-done work
            answer = dialogue.converse(
                db, resident, inbound, body, opt_out_type, first_message=first_message
            )
            inbound, reply_rows = _store(db, resident, inbound, answer, provider, reply_via)
    except Exception:
        log.exception("SMS %s could not be answered; handing it to staff", inbound["id"])
        answer = _handed_to_staff(db, resident, inbound, body)
        inbound, reply_rows = _store(db, resident, inbound, answer, provider, reply_via)
    return inbound, answer, reply_rows


def _handed_to_staff(db, resident, inbound, body):
    """The answer when answering failed: the text goes to staff as a question, if it can."""
    language = resident["language"] or "vi"
    try:
        with transaction(db):
            request = intents.question_for_staff(db, resident, inbound, body)
    except Exception:
        # Even the queue failed: the stored message is all staff get (the message log).
        log.exception("SMS %s could not be queued for staff either", inbound["id"])
        return Answer("error", [catalog.sms("sms_help", language)])
    return Answer("error", [catalog.sms("sms_unknown", language)], request)


def _replayed(db, inbound):
    """The Outcome of a message already answered: the replies stored the first time."""
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
    """Store the replies (queued when they cannot go inline) and classify the message.

    Returns the classified message and the stored inline reply rows (None via the outbox).
    """
    request_id = answer.request["id"] if answer.request else None
    reply_rows = None
    if reply_via == "outbox":
        for number, body in enumerate(answer.replies):
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
    else:
        reply_rows = messages.record_replies(
            db,
            answer.replies,
            provider=provider,
            phone=resident["phone"],
            reply_to_id=inbound["id"],
            request_id=request_id,
            resident_id=resident["id"],
            intent=answer.intent,
        )
    status = "replied" if answer.replies else "received"
    if answer.intent in ("rate_limited",):
        status = "ignored"
    inbound = messages.classify(
        db,
        inbound["id"],
        intent=answer.intent,
        status=status,
        request_id=request_id,
        resident_id=None if inbound["resident_id"] else resident["id"],
    )
    return inbound, reply_rows
