"""What a request can turn into: a home visit booked from a question, and its follow-ups."""

import datetime as dt

from flask import abort, flash, request, url_for
from flask import redirect as go
from flask_babel import gettext as _

from app import lifecycle, profiles
from app.infra import clock
from app.infra.database import get_db
from app.language.texts import N_
from app.request_queue import absences, conversions, follow_ups
from db import transaction
from staff import bp
from staff.common import actor, current_commune, form_int, refused
from staff.detail import act, load, not_done, note_field
from staff.request_extras import CALL_BACK_MINUTES

SAID_FIELDS = ("age", "lives_alone", "limited_mobility", "name")


@bp.post("/requests/<int:request_id>/visit")
def book_visit(request_id):
    """Turn a question or plea into a home visit, with hamlet, procedure and reason."""
    db = get_db()
    load(db, request_id)
    hamlet_id = form_int("hamlet_id")
    if not hamlet_id:
        refused(_("Choose a hamlet."))
        return not_done(request_id)
    try:
        with transaction(db):
            visit, _created = conversions.visit_from(
                db,
                request_id,
                hamlet_id=hamlet_id,
                service_code=request.form.get("service_code") or None,
                reason=note_field(),
                actor=actor(),
            )
    except lifecycle.InvalidTransition:
        refused(_("That change is not possible from the request's current status."))
        return not_done(request_id)
    except ValueError:
        refused(_("Choose a hamlet."))
        return not_done(request_id)
    flash(_("Home visit %(ref)s booked. The resident gets an SMS with the date.", ref=visit["ref"]))
    return go(url_for("staff.request_detail", request_id=visit["id"]))


@bp.post("/requests/<int:request_id>/said/<field>")
def accept_said(request_id, field):
    """Accept one fact the resident stated: profile, priority and trips follow at once."""
    if field not in SAID_FIELDS:
        abort(404)
    return act(
        request_id,
        lambda db: profiles.accept_said(db, request_id, field, actor=actor()),
        _("Saved on the resident's profile. Priority and trips are updated."),
    )


@bp.post("/requests/<int:request_id>/follow-ups/call-back")
def promise_call_back(request_id):
    """Promise the resident a call back within the chosen minutes: a task on top until done."""
    minutes = form_int("minutes", 60)
    if minutes not in CALL_BACK_MINUTES:
        minutes = 60
    due_at = clock.iso(clock.now() + dt.timedelta(minutes=minutes))
    return act(
        request_id,
        lambda db: follow_ups.open_follow_up(
            db, request_id, follow_ups.CALL_BACK, due_at=due_at, actor=actor()
        ),
        _("Call back promised. It stays on top of the queue until you record it."),
    )


@bp.post("/requests/<int:request_id>/follow-ups/<int:follow_up_id>")
def finish_follow_up(request_id, follow_up_id):
    """Record how a follow-up ended: called, not called and why, rebooked, call first, closed."""
    db = get_db()
    load(db, request_id)
    found = follow_ups.on_request(db, current_commune(), request_id, follow_up_id)
    if found is None or found["done_at"]:
        refused(_("That trip or request no longer exists."))
        return not_done(request_id)
    outcome = request.form.get("outcome", "")
    note = note_field()
    if outcome in ("not_called", "closed") and not note:
        refused(_("Write the reason first."))
        return not_done(request_id)
    steps = {
        "called": lambda db: follow_ups.finish(
            db, follow_up_id, outcome="called", actor=actor(), note=note
        ),
        "not_called": lambda db: follow_ups.finish(
            db, follow_up_id, outcome="not_called", actor=actor(), note=note
        ),
        "rebooked": lambda db: absences.rebook(db, request_id, actor=actor()),
        "call_first": lambda db: absences.call_first(db, request_id, actor=actor()),
        "closed": lambda db: absences.close(db, request_id, actor=actor(), reason=note),
    }
    if outcome not in steps or outcome not in follow_ups.OUTCOMES[found["kind"]]:
        refused(_("That change is not possible from the request's current status."))
        return not_done(request_id)
    return act(request_id, steps[outcome], _(DONE[outcome]))


DONE = {
    "called": N_("The call is recorded."),
    "not_called": N_("Recorded that the call did not happen, with the reason."),
    "rebooked": N_("Booked on the next trip. The resident gets an SMS with the date."),
    "call_first": N_("A call back is on top of the queue: call before booking again."),
    "closed": N_("The request is closed."),
}
