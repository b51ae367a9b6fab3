"""What a key press does to the queue and the outbox: thin calls into the domain."""

from app import residents
from app.catalogue import guidance
from app.delivery.outbox import enqueue
from app.language import phones
from app.request_queue import service_requests
from app.request_queue.asked import Asked
from db import transaction


def book_visit(db, *, phone, call_sid, hamlet_id):
    """Open the caller's home-visit request (once per call); return (request, created).

    A mobile caller also gets the confirmation as an SMS copy through the outbox.
    """
    with transaction(db):
        request, created = service_requests.open_request(
            db,
            Asked.visit(phone, "voice", hamlet_id=hamlet_id, source_key=f"voice:{call_sid}:visit"),
        )
        if phones.is_mobile(phone):
            enqueue(
                db,
                phone,
                service_requests.confirmation_sms(db, request),
                kind="voice_copy",
                request_id=request["id"],
                dedupe_key=f"voice_copy:{request['id']}",
            )
        return request, created


def open_visit(db, phone):
    """Return the caller's open home-visit request, if they have one."""
    resident = residents.by_phone(db, phone) if phone else None
    return service_requests.open_visit_for(db, resident["id"]) if resident else None


def send_guidance(db, *, phone, call_sid, procedure, language):
    """Queue a procedure's steps and documents as two SMS to a mobile caller.

    Returns False (and queues nothing) when the number cannot receive SMS.
    """
    if not phone or not phones.is_mobile(phone):
        return False
    with transaction(db):
        for part, body in (
            ("steps", guidance.sms_steps(procedure, language)),
            ("documents", guidance.sms_documents(procedure, language)),
        ):
            enqueue(
                db,
                phone,
                body,
                kind="guidance",
                dedupe_key=f"voice_guidance:{call_sid}:{procedure['code']}:{part}",
            )
    return True
