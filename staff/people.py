"""Residents: search, profile, edits to hamlet, language and vulnerability, and their requests."""

from flask import abort, flash, render_template, request
from flask_babel import gettext as _

from app import profiles, residents
from app.catalogue import hamlets
from app.delivery import messages
from app.infra.database import get_db
from app.request_queue import request_lists
from app.trips import trip_lists
from db import transaction
from staff import bp
from staff.common import actor, arg_int, back, current_commune, form_flag, form_int, refused
from staff.walkin import VULNERABILITY_FLAGS


@bp.get("/residents")
def resident_list():
    """Search residents by phone or name."""
    db = get_db()
    text = request.args.get("q", "")[:100]
    page = max(arg_int("page", 1), 1)
    rows, has_next = request_lists.residents_page(db, current_commune(), text, page)
    return render_template("staff/residents.html", rows=rows, has_next=has_next, page=page, q=text)


def load(db, resident_id):
    """Return a resident, or answer 404."""
    resident = request_lists.resident_row(db, current_commune(), resident_id)
    if resident is None:
        abort(404)
    return resident


@bp.get("/residents/<int:resident_id>")
def resident_detail(resident_id):
    """Show a resident's profile, their requests and recent messages."""
    db = get_db()
    resident = load(db, resident_id)
    return render_template(
        "staff/resident.html",
        resident=resident,
        hamlet=hamlets.get(db, resident["hamlet_id"]),
        hamlets=hamlets.active(db),
        requests=request_lists.resident_requests(db, current_commune(), resident_id),
        thread=messages.thread(db, current_commune(), resident["phone"], limit=30),
        vulnerable=residents.is_vulnerable(resident),
    )


@bp.post("/residents/<int:resident_id>")
def resident_update(resident_id):
    """Save the profile fields staff may change."""
    db = get_db()
    load(db, resident_id)
    hamlet_id = form_int("hamlet_id")
    language = request.form.get("language")
    if hamlet_id and hamlet_id not in trip_lists.hamlet_ids(db, current_commune()):
        refused(_("Choose a hamlet from the list."))
        return back("staff.resident_detail", resident_id=resident_id)
    if language not in ("vi", "en"):
        language = "vi"
    birth_year = form_int("birth_year")
    fields = {
        "name": (request.form.get("name") or "").strip()[:200] or None,
        "hamlet_id": hamlet_id,
        "language": language,
        "birth_year": birth_year if birth_year and 1900 <= birth_year <= 2100 else None,
        "notes": (request.form.get("notes") or "").strip()[:2000] or None,
        "landmark": (request.form.get("landmark") or "").strip()[:300] or None,
        **{flag: form_flag(flag) for flag in VULNERABILITY_FLAGS},
    }
    with transaction(db):
        profiles.update_resident(db, resident_id, fields, actor=actor())
    flash(_("Resident saved."), "success")
    return back("staff.resident_detail", resident_id=resident_id)


@bp.post("/residents/<int:resident_id>/clear-flag")
def resident_clear_flag(resident_id):
    """Clear the rate-limit (or other) flag once staff have looked at it."""
    db = get_db()
    load(db, resident_id)
    with transaction(db):
        residents.clear_flag(db, resident_id)
    flash(_("Flag cleared."), "success")
    return back("staff.resident_detail", resident_id=resident_id)
