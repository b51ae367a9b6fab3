"""Walk-in or phone entry: staff open a request for a resident through the shared domain path."""

from flask import flash, render_template, request
from flask_babel import gettext as _

from app import lifecycle, profiles, residents
from app.catalogue import guidance, hamlets
from app.infra.database import get_db
from app.language import phones
from app.request_queue import service_requests
from app.request_queue.asked import Asked
from app.trips import trip_lists
from db import transaction
from staff import bp
from staff.common import actor, back, current_commune, form_int

VULNERABILITY_FLAGS = ("age_75_plus", "lives_alone", "limited_mobility")


@bp.route("/requests/new", methods=["GET", "POST"])
def walk_in():
    """Open a home visit or a question for a resident who came in or phoned the office."""
    db = get_db()
    form = request.form if request.method == "POST" else request.args
    errors = {}
    if request.method == "POST":
        kind = form.get("kind") if form.get("kind") in lifecycle.KINDS else lifecycle.VISIT
        hamlet_id = form_int("hamlet_id")
        service_code = form.get("service_code") or None
        name = (form.get("name") or "").strip()[:200] or None
        landmark = (form.get("landmark") or "").strip()[:300] or None
        try:
            phone = phones.normalise(form.get("phone") or "")
        except phones.InvalidPhone:
            errors["phone"] = _("Enter a valid phone number, for example 0912 345 678.")
        if hamlet_id and hamlet_id not in trip_lists.hamlet_ids(db, current_commune()):
            errors["hamlet_id"] = _("Choose a hamlet from the list.")
        if service_code and not guidance.get(db, service_code):
            errors["service_code"] = _("Choose a procedure from the list.")
        description = (form.get("description") or "").strip()[:1000]
        if kind == lifecycle.QUESTION and not description:
            errors["description"] = _("Write the question down.")
        if not errors:
            profile = {flag: 1 for flag in VULNERABILITY_FLAGS if form.get(flag)}
            if landmark:
                profile["landmark"] = landmark
            with transaction(db):
                existing = residents.by_phone(db, phone)
                if existing and (name or profile):
                    changes = {"name": name} if name else {}
                    profiles.update_resident(
                        db, existing["id"], {**changes, **profile}, actor=actor()
                    )
                result, created = service_requests.open_request(
                    db,
                    Asked(
                        phone=phone,
                        kind=kind,
                        channel="staff",
                        service_code=service_code,
                        description=description,
                        hamlet_id=hamlet_id,
                        actor_type="staff",
                        actor=actor(),
                        notify=True,
                        resident_fields={"name": name, "raw": form.get("phone"), **profile},
                    ),
                    commune=current_commune(),
                )
            if created:
                flash(_("Request %(ref)s opened.", ref=result["ref"]), "success")
            else:
                flash(
                    _("This resident already has an open home visit (%(ref)s).", ref=result["ref"]),
                    "warning",
                )
            return back("staff.request_detail", request_id=result["id"])
    return render_template(
        "staff/walkin.html",
        form=form,
        errors=errors,
        hamlets=hamlets.active(db),
        procedures=guidance.all_procedures(db),
    ), (400 if errors else 200)
