"""SMS webhooks: check the signature, store the message for the worker, answer at once."""

import logging

from flask import abort, current_app, jsonify, request

from app import channels, communes, residents
from app.delivery import gateway_watch, message_parts, messages, outbox, waiting
from app.infra.database import get_db
from app.infra.logs import mask_phone
from app.infra.web.converters import storable_id
from app.infra.web.responses import empty_messaging
from app.infra.web.signatures import require_twilio_signature
from app.language import phones
from db import transaction
from sms import bp, gateway

log = logging.getLogger(__name__)

# Twilio error codes that say something about the recipient rather than the message.
UNSUBSCRIBED = "21610"  # the number sent STOP to our sender: never message it again
NOT_MOBILE = "21614"  # a landline or otherwise not SMS-capable


@bp.post("/twilio")
@require_twilio_signature
def twilio_inbound():
    """Twilio Messaging webhook: store the SMS and answer an empty <Response/>.

    The reply follows through the outbox once the worker has answered (Twilio's advice for
    work that takes time: acknowledge the webhook, send by the REST API).
    """
    sid = request.form.get("MessageSid") or request.form.get("SmsSid")
    sender = request.form.get("From")
    if not sid or not sender or not request.form.get("To"):
        abort(400)
    db = get_db()
    found = channels.for_twilio(
        db, request.form.get("To"), current_app.config["TWILIO_FROM_NUMBER"]
    )
    if found is None:
        log.warning("SMS to %s: no commune owns this number", mask_phone(request.form.get("To")))
        abort(404)
    commune, _channel = found
    waiting.take(
        db,
        commune=commune,
        phone=sender,
        body=request.form.get("Body", ""),
        provider="twilio",
        provider_id=sid,
        dedupe_key=f"twilio:{sid}",
        opt_out_type=request.form.get("OptOutType"),
    )
    return empty_messaging()


@bp.post("/twilio/status")
@require_twilio_signature
def twilio_status():
    """Twilio status callback: move the message's delivery status forward, note bad numbers."""
    sid = request.form.get("MessageSid") or request.form.get("SmsSid")
    status = request.form.get("MessageStatus") or request.form.get("SmsStatus")
    if not sid or not status:
        abort(400)
    error_code = (request.form.get("ErrorCode") or "").strip() or None
    db = get_db()
    with transaction(db):
        # Our id, as we put it in the callback URL; anything SQLite cannot hold is not ours.
        our_id = storable_id(request.args.get("m", type=int))
        if our_id:
            messages.attach_provider_id(db, our_id, provider="twilio", provider_id=sid)
        updated = messages.update_delivery(
            db,
            provider="twilio",
            provider_id=sid,
            status=status.strip().lower(),
            error_code=error_code,
            error_message=request.form.get("ErrorMessage"),
        )
        if error_code in (UNSUBSCRIBED, NOT_MOBILE):
            # The resident is the message's commune's, or the one of the number it left from.
            if updated:
                commune = communes.by_id(db, updated["commune_id"])
            else:
                found = channels.for_twilio(
                    db, request.form.get("From"), current_app.config["TWILIO_FROM_NUMBER"]
                )
                commune = found[0] if found else None
            if commune is not None:
                with communes.bound(commune):
                    _note_recipient(db, updated, request.form.get("To"), error_code)
    return ("", 204)


def _note_recipient(db, message, to, error_code):
    """Opt the recipient out (21610) or mark the number as unable to get SMS (21614)."""
    phone = message["phone"] if message else None
    if not phone and to:
        try:
            phone = phones.normalise(to)
        except phones.InvalidPhone:
            return
    resident = residents.by_phone(db, phone) if phone else None
    if not resident:
        return
    if error_code == UNSUBSCRIBED:
        if not resident["opted_out"]:
            residents.opt_out(db, resident["id"])
    else:
        residents.mark_no_sms(db, resident["id"], "not a mobile number (Twilio 21614)")


@bp.post("/gateway")
def gateway_webhook():
    """SMS Gateway for Android webhook of the first commune's default device."""
    return _gateway(*channels.default_gateway(get_db()))


@bp.post("/gateway/<int:channel_id>")
def gateway_device_webhook(channel_id):
    """SMS Gateway for Android webhook of one registered device, signed with its own key."""
    found = channels.gateway_device(get_db(), channel_id)
    if found is None:
        log.warning("gateway webhook for unknown device %s", channel_id)
        abort(404)
    return _gateway(*found)


def _gateway(commune, channel):
    """Check a device's signature (its key looked up first), then handle its event."""
    with communes.bound(commune):
        return _gateway_event(commune, channel)


def _gateway_event(commune, channel):
    """Inbound SMS, delivery reports and pings of one gateway device, HMAC-signed."""
    body = request.get_data(cache=True)
    problem = gateway.signature_problem(
        channels.signing_key(channel, current_app.config.get("SMS_GATEWAY_SIGNING_KEY")),
        body,
        request.headers.get("X-Signature"),
        request.headers.get("X-Timestamp"),
    )
    if problem:
        log.warning("refused gateway webhook from %s: %s", request.remote_addr, problem)
        abort(403)
    db = get_db()
    try:
        event = gateway.parse_event(body)
    except gateway.BadPayload as exc:
        gateway_watch.touch(
            db, channel, "malformed", app_version=gateway.app_version(request.user_agent.string)
        )
        log.warning("malformed gateway webhook: %s", exc)
        abort(400)
    # Every signed webhook, a ping included, shows the phone is alive.
    gateway_watch.touch(
        db,
        channel,
        event.name,
        device_id=event.device_id,
        app_version=gateway.app_version(request.user_agent.string),
    )
    try:
        if event.name in (gateway.RECEIVED, gateway.BATCH_RECEIVED):
            return _gateway_received(db, commune, channel, event, gateway.received_messages(event))
        if event.name in gateway.DELIVERY_EVENTS:
            return _gateway_delivery(db, commune, gateway.delivery_update(event))
    except gateway.BadPayload as exc:
        log.warning("unusable gateway webhook %s: %s", event.name, exc)
        abort(400)
    # system:ping, app:started and events we do not subscribe to need no other action.
    return jsonify(ok=True, ignored=event.name)


def _gateway_received(db, commune, channel, event, received):
    """Store each received SMS as waiting; the worker answers them through the outbox."""
    stored = 0
    for sms in received:
        key = gateway.dedupe_key(sms, event)
        if not channel["is_default"]:
            # Two devices may hold the same content-hash id: the device keeps them apart.
            key = f"gateway{channel['id']}:{key.removeprefix('gateway:')}"
        gateway_watch.note_inbound(
            db,
            dedupe_key=key,
            phone=sms.phone,
            sim_number=sms.sim_number,
            received_at=sms.received_at,
        )
        _message, is_new = waiting.take(
            db,
            commune=commune,
            phone=sms.phone,
            body=sms.text,
            provider="gateway",
            provider_id=sms.message_id or key,
            dedupe_key=key,
        )
        stored += is_new
    return jsonify(ok=True, stored=stored)


def _gateway_delivery(db, commune, report):
    """Count a part's report once and move the message on; a failure or cancel goes to staff."""
    with transaction(db):
        if report.status == "cancelled":
            updated = messages.update_delivery(
                db,
                provider="gateway",
                provider_id=report.message_id,
                status="cancelled",
                commune_id=commune.id,
            )
            if updated:
                outbox.mark_provider_failure(db, updated["outbox_id"], report.reason or "cancelled")
        else:
            message_parts.webhook_report(
                db,
                commune_id=commune.id,
                event_id=report.event_id,
                event=report.status,
                provider_id=report.message_id,
                recipient=report.recipient,
                at=report.at,
                parts_count=report.parts_count,
                reason=report.reason,
            )
    return jsonify(ok=True)
