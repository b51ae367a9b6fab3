"""Other names of hamlets in the console: old names and spellings, and residents' suggestions."""

from flask import abort, flash, request
from flask_babel import gettext as _

from app.accounts import audit
from app.catalogue import hamlets, place_names
from app.infra.database import get_db
from db import transaction
from staff import bp
from staff.common import actor, admin_required, refused
from staff.settings import back_to_section

ACTIONS = {
    "accept": place_names.ACTIVE,
    "dismiss": place_names.DISMISSED,
    "remove": place_names.DISMISSED,
}


@bp.post("/settings/hamlets/<int:hamlet_id>/aliases")
@admin_required
def alias_add(hamlet_id):
    """Keep another name of a hamlet (an old name, a spelling residents use)."""
    db = get_db()
    if not hamlets.get(db, hamlet_id):
        abort(404)
    alias = (request.form.get("alias") or "").strip()[:80]
    with transaction(db):
        folded = place_names.add(db, hamlet_id, alias, actor=actor())
        if folded:
            audit.record(db, actor=actor(), action="hamlet_alias_added", target=alias)
    if not folded:
        refused(_("Not saved: %(reason)s", reason=_("the name cannot be empty")))
    else:
        flash(_("Other name saved."), "success")
    return back_to_section()


@bp.post("/settings/aliases/<int:alias_id>/<action>")
@admin_required
def alias_status(alias_id, action):
    """Accept or dismiss a suggested name, or remove a kept one."""
    if action not in ACTIONS:
        abort(404)
    db = get_db()
    with transaction(db):
        found = place_names.set_status(db, alias_id, ACTIONS[action])
        if found:
            audit.record(db, actor=actor(), action=f"hamlet_alias_{action}", target=str(alias_id))
    if not found:
        abort(404)
    flash(_("Other name saved.") if action == "accept" else _("Other name removed."), "success")
    return back_to_section()
