"""Messages: the SMS log (inbound and outbound, delivery status) and retry of failed sends."""

from flask import abort, flash, render_template, request
from flask_babel import gettext as _

from app import outbox, quiet_hours
from app import requests as queue
from app.staff import bp, log_queries, queries
from app.staff.common import actor, arg_int, back, refused
from db import get_db, transaction


@bp.get("/messages")
def message_list():
    """Show the SMS log, newest first, with failed sends that can be retried."""
    db = get_db()
    direction = request.args.get("direction", "")
    failed_only = request.args.get("failed") == "1"
    page = max(arg_int("page", 1), 1)
    rows, has_next = log_queries.messages_page(db, direction, failed_only, page=page)
    return render_template(
        "staff/messages.html",
        rows=rows,
        has_next=has_next,
        page=page,
        direction=direction,
        failed_only=failed_only,
        failed=queries.failed_outbox(db, limit=50),
        counts=log_queries.outbox_counts(db),
        waiting=log_queries.waiting_outbox(db),
        quiet_until=quiet_hours.held_until(db),
        reactive_kinds=outbox.REACTIVE_KINDS,
    )


@bp.post("/messages/outbox/<int:outbox_id>/retry")
def outbox_retry(outbox_id):
    """Put a failed outbound message back in the queue for the worker to send."""
    db = get_db()
    row = log_queries.outbox_row(db, outbox_id)
    if row is None:
        abort(404)
    try:
        with transaction(db):
            outbox.retry(db, outbox_id, actor=actor())
            if row["request_id"]:
                queue.record_event(
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
