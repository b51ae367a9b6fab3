"""Messages: the SMS log (inbound and outbound, delivery status) and retry of failed sends."""

from flask import abort, flash, render_template, request
from flask_babel import gettext as _

from app import communes, lifecycle
from app.catalogue import guidance, hamlets, quiet_hours
from app.delivery import attempts, delivery_states, log_lists, messages, outbox
from app.infra.database import get_db
from app.request_queue import corrections, request_lists
from db import transaction
from sms import understood
from staff import bp, filters
from staff.common import actor, arg_int, back, current_commune, refused

TOP_ROWS = 10  # rows of each list above the log; the log itself pages through the rest


@bp.get("/messages")
def message_list():
    """Show the SMS log, newest first, with failed sends that can be retried."""
    db = get_db()
    commune = current_commune()
    direction = request.args.get("direction", "")
    failed_only = request.args.get("failed") == "1"
    page = max(arg_int("page", 1), 1)
    text = (request.args.get("q") or "").strip()[:100]
    rows, has_next = log_lists.messages_page(
        db, commune, direction, failed_only, page=page, text=text
    )
    # What waits or failed heads the first page only: later pages and searches are the log.
    first = page == 1 and not text
    failed = request_lists.failed_outbox(db, commune, limit=TOP_ROWS) if first else []
    return render_template(
        "staff/messages.html",
        rows=rows,
        has_next=has_next,
        page=page,
        direction=direction,
        failed_only=failed_only,
        text=text,
        failed=failed,
        counts=delivery_states.counts(db, commune),
        waiting=log_lists.waiting_outbox(db, commune, limit=TOP_ROWS) if first else [],
        quiet_until=quiet_hours.held_until(db),
        reactive_kinds=outbox.REACTIVE_KINDS,
        unanswerable=log_lists.unanswerable(db, commune, limit=TOP_ROWS) if first else [],
        meanings=list(filters.MEANING_LABELS),
        # A handed-over message's likeliest meanings: one tap corrects and carries it out.
        likely={m["id"]: messages.likely_of(m) for m in rows if m["direction"] == "in"},
        hamlet_rows=hamlets.active(db),
        procedures=guidance.all_procedures(db),
        attempts=attempts.for_outbox(
            db, [o["id"] for o in failed] + [m["outbox_id"] for m in rows]
        ),
    )


@bp.post("/messages/outbox/<int:outbox_id>/retry")
def outbox_retry(outbox_id):
    """Put a failed outbound message back in the queue for the worker to send."""
    db = get_db()
    row = log_lists.outbox_row(db, current_commune(), outbox_id)
    if row is None:
        abort(404)
    try:
        with transaction(db):
            outbox.retry(db, outbox_id, actor=actor())
            if row["request_id"]:
                lifecycle.record_event(
                    db,
                    row["request_id"],
                    "sms_retry",
                    actor_type="staff",
                    actor=actor(),
                    channel="staff",
                    note=row["kind"],
                )
    except outbox.OutboxError as exc:
        refused(_("Not retried: %(reason)s", reason=str(exc)))
    else:
        flash(_("The message is queued again."), "success")
    return back("staff.message_list")


@bp.post("/messages/<int:message_id>/meaning")
def message_meaning(message_id):
    """Say what a resident's SMS meant: it is carried out now and learned at the next training."""
    db = get_db()
    message = communes.owned(db, current_commune(), "messages", message_id)
    if message is None or message["direction"] != "in" or not message["resident_id"]:
        abort(404)
    intent = request.form.get("intent", "")
    hamlet = request.form.get("hamlet") or None
    procedure = request.form.get("procedure") or None
    if (
        intent not in filters.MEANING_LABELS
        or (hamlet and not hamlets.by_code(db, hamlet))
        or (procedure and not guidance.get(db, procedure))
    ):
        refused(_("Choose what the message meant from the lists."))
        return back("staff.message_list")
    earlier = corrections.history(db, message_id)
    if earlier and not request.form.get("confirmed"):
        # Each correction is carried out: show what the earlier ones did before another runs.
        return render_template(
            "staff/confirm_correction.html",
            message=message,
            earlier=earlier,
            intent=intent,
            hamlet=hamlet or "",
            procedure=procedure or "",
        )
    with transaction(db):
        correction = corrections.record(
            db, message, intent=intent, hamlet=hamlet, procedure=procedure, actor=actor()
        )
        understood.correct(
            db,
            message,
            correction,
            intent=intent,
            hamlet=hamlet,
            procedure=procedure,
            actor=actor(),
        )
    flash(_("Done as corrected. The classifier learns it at the next training."), "success")
    return back("staff.message_list")
