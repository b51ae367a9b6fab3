"""Request detail: the resident, the timeline, the SMS thread, and the actions on a request."""

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from app import lifecycle, trips
from app.catalogue import catalog, guidance, hamlets, quiet_hours, text_rules
from app.delivery import attempts, log_lists, messages, outbox
from app.infra import clock
from app.infra.database import get_db
from app.language.texts import segments, sms_text
from app.request_queue import attention, field, request_lists, service_requests
from app.trips import room, trip_lists
from staff import bp, request_extras
from staff.common import (
    actor,
    attempt,
    back,
    current_commune,
    form_int,
    refused,
)


def sms_preview(text):
    """Describe how an answer will reach the phone: unaccented body and segment count."""
    body = catalog.sms_body(text)
    info = segments(body)
    return {
        "body": body,
        "segments": info.count,
        "units": info.units,
        "has_diacritics": sms_text(text) != text.strip(),
        "too_long": info.count > 1,
    }


def load(db, request_id):
    """Return the joined request row, or answer 404."""
    row = request_lists.request_row(db, current_commune(), request_id)
    if row is None:
        abort(404)
    return row


@bp.get("/requests/<int:request_id>")
def request_detail(request_id, preview=None, draft=""):
    """Show one request with everything staff need to act on it."""
    db = get_db()
    commune = current_commune()
    row = load(db, request_id)
    resident_id = row["resident_id"]
    resident = request_lists.resident_row(db, commune, resident_id) if resident_id else None
    procedure = guidance.get(db, row["service_code"])
    thread = messages.thread(db, commune, row["phone"], limit=100) if row["phone"] else []
    unsent = outbox.unsent_for_request(db, request_id)
    return render_template(
        "staff/request.html",
        r=row,
        resident=resident,
        procedure=procedure,
        events=lifecycle.events(db, request_id),
        thread=thread,
        unsent=unsent,
        attempts=attempts.for_outbox(
            db, [m["outbox_id"] for m in thread] + [o["id"] for o in unsent]
        ),
        move_trips=trip_lists.trip_requests_for_move(db, commune, row),
        hamlets=hamlets.active(db),
        open_statuses=lifecycle.OPEN_STATUSES[row["kind"]],
        trip_day_reached=bool(row["trip_date"])
        and row["trip_date"] <= clock.local_today().isoformat(),
        field_results=field.results_for(db, request_id),
        waiting=log_lists.waiting_outbox(db, commune, phone=row["phone"]) if row["phone"] else [],
        quiet_until=quiet_hours.held_until(db),
        reactive_kinds=outbox.REACTIVE_KINDS,
        bookable_statuses=lifecycle.BOOKABLE,
        preview=preview,
        draft=draft,
        **request_extras.extras(db, row),
    )


def act(request_id, change, done_message):
    """Run CHANGE(db) in a transaction; flash the outcome and go back, or say why not (400)."""
    db = get_db()
    load(db, request_id)
    if attempt(db, change):
        flash(done_message, "success")
        return back("staff.request_detail", request_id=request_id)
    return not_done(request_id)


def not_done(request_id):
    """The request page again, with the flashed reason, as a 400 (nothing was changed)."""
    return request_detail(request_id), 400


@bp.post("/requests/<int:request_id>/trip")
def move_request(request_id):
    """Schedule a request on a trip, or move it to another one."""
    trip_id = form_int("trip_id")
    # Another commune's trip is no choice at all.
    if not trip_id or not trip_lists.trip_row(get_db(), current_commune(), trip_id):
        refused(_("Choose a trip."))
        return not_done(request_id)
    row = load(get_db(), request_id)
    if trip_id != row["trip_id"] and room.is_full(get_db(), trip_id):
        # A full trip is not a dead end: its ways out, with this visit to place.
        return redirect(url_for("staff.trip_room", trip_id=trip_id, request=request_id))
    done = _("The request is on the chosen trip. The resident gets an SMS with the new date.")
    held_until = quiet_hours.held_until(get_db())
    if held_until:
        done += " " + _("Quiet hours: the SMS is sent at %(time)s.", time=held_until)
    return act(
        request_id, lambda db: trips.move_to_trip(db, request_id, trip_id, actor=actor()), done
    )


@bp.post("/requests/<int:request_id>/hamlet")
def set_request_hamlet(request_id):
    """Set the hamlet of a request that came without one."""
    hamlet_id = form_int("hamlet_id")
    db = get_db()
    if not hamlet_id or hamlet_id not in trip_lists.hamlet_ids(db, current_commune()):
        refused(_("Choose a hamlet."))
        return not_done(request_id)
    return act(
        request_id,
        lambda db: service_requests.set_hamlet(
            db, request_id, hamlet_id, actor_type="staff", actor=actor(), channel="staff"
        ),
        _("Hamlet saved."),
    )


def note_field():
    """The optional note typed with an action, trimmed to a sane length."""
    return (request.form.get("note") or "").strip()[:1000] or None


@bp.post("/requests/<int:request_id>/visited")
def mark_visited(request_id):
    """Record that the team visited the resident, after the officer confirms it."""
    note = note_field()
    if not request.form.get("confirmed"):
        # The resident is thanked by SMS at once: ask before, showing the trip's date.
        db = get_db()
        row = load(db, request_id)
        return render_template("staff/confirm_visited.html", r=row, note=note or "")
    return act(
        request_id,
        lambda db: service_requests.mark_visited(db, request_id, actor=actor(), note=note),
        _("Marked as visited."),
    )


@bp.post("/requests/<int:request_id>/attention/clear")
def clear_attention(request_id):
    """An officer has read the resident's words; the request stays on top until it is closed."""
    return act(
        request_id,
        lambda db: attention.mark_read(db, request_id, actor=actor()),
        _("Marked as read. It stays on top until the request is closed."),
    )


@bp.post("/requests/<int:request_id>/unreachable")
def mark_unreachable(request_id):
    """Record that the team could not find the resident."""
    note = note_field()
    return act(
        request_id,
        lambda db: service_requests.mark_unreachable(db, request_id, actor=actor(), note=note),
        _(
            "Marked as not at home. The resident is told the team will contact them;"
            " the follow-up is under Needs attention."
        ),
    )


@bp.post("/requests/<int:request_id>/cancel")
def cancel(request_id):
    """Cancel a home visit, or close a question, optionally telling the resident."""
    note = note_field()
    notify = bool(request.form.get("notify"))
    return act(
        request_id,
        lambda db: service_requests.cancel_request(
            db,
            request_id,
            actor_type="staff",
            actor=actor(),
            channel="staff",
            note=note,
            notify=notify,
        ),
        _("The request is closed."),
    )


@bp.post("/requests/<int:request_id>/answer")
def answer(request_id):
    """Answer a question by SMS, or preview how the answer will look on the phone."""
    text = (request.form.get("answer") or "").strip()[:1000]
    if not text:
        refused(_("Write the answer first."))
        return not_done(request_id)
    if request.form.get("action") == "preview":
        return request_detail(request_id, preview=sms_preview(text), draft=text)
    try:
        text_rules.check_resident_text(get_db(), text)
    except text_rules.UnsafeText as exc:
        # The draft stays on the page, so the officer can rewrite it.
        refused(_("Not sent, because %(reason)s.", reason=_(exc.template, **exc.params)))
        return request_detail(request_id, draft=text), 400
    preview = sms_preview(text)
    response = act(
        request_id,
        lambda db: service_requests.answer_question(db, request_id, text, actor=actor()),
        _("Answer queued for sending by SMS."),
    )
    if preview["too_long"]:
        flash(_("The answer takes %(count)s SMS segments.", count=preview["segments"]), "warning")
    return response


@bp.post("/requests/<int:request_id>/answer/preview")
def answer_preview(request_id):
    """The preview alone, for the request page to show in place (staff.js)."""
    load(get_db(), request_id)
    text = (request.form.get("answer") or "").strip()[:1000]
    preview = sms_preview(text) if text else None
    error = None if text else _("Write the answer first.")
    return render_template("staff/_sms_preview.html", preview=preview, preview_error=error)


@bp.post("/requests/<int:request_id>/callback")
def call_back(request_id):
    """Ask the voice channel to call the resident back."""
    from app.request_queue import callbacks

    db = get_db()
    row = load(db, request_id)
    if not row["phone"]:
        abort(404)

    def change(db):
        # The voice channel records the "callback_requested" event with the officer's name.
        callbacks.request_callback(db, row["phone"], request_id=request_id, requested_by=actor())

    return act(request_id, change, _("A call back is queued. The phone will ring shortly."))


@bp.get("/requests/<int:request_id>/recording")
def recording(request_id):
    """Play a voice message: the app fetches it with its credentials, the browser never does."""
    from app.request_queue import recordings

    db = get_db()
    row = load(db, request_id)
    if not row["recording_url"]:
        abort(404)
    try:
        content, content_type = recordings.fetch_recording(row["recording_url"], current_app.config)
    except recordings.RecordingUnavailable:
        abort(502)
    return Response(
        content,
        mimetype=content_type or "audio/mpeg",
        headers={"Cache-Control": "private, no-store"},
    )
