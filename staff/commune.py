"""The console's commune: the officer's chosen membership, kept in the session, checked on
every request, and switched only by an explicit POST.

Every view below reads `g.commune` (staff.common.current_commune) and nothing else, so
one page never mixes two communes. A province officer who is not a member of the commune
open reads it only: every state-changing request answers 403, and each read is audited.
"""

import contextlib

from flask import abort, flash, g, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app import communes
from app.accounts import memberships
from app.infra.database import get_db
from db import transaction
from staff import auth, bp
from staff.common import actor, form_int

SESSION_KEY = "commune_id"
# What a reader may still post: their own account, the language, the switch itself.
ACCOUNT_ENDPOINTS = {"staff.logout", "staff.language", "staff.password", "staff.switch_commune"}
READS = {"GET", "HEAD"}


def _pick(options, chosen):
    """The (commune, role) of OPTIONS with id CHOSEN, else the first membership, else the first."""
    for option in options:
        if option[0].id == chosen:
            return option
    return next((option for option in options if option[1]), options[0])


@bp.before_app_request
def open_commune():
    """Resolve the commune of this console request from the session, against the memberships."""
    endpoint = request.endpoint
    if endpoint is None or auth.is_public(endpoint, request.blueprint):
        return None
    if not current_user.is_authenticated:
        return None  # the login guard has already sent them to sign in
    db = get_db()
    options = memberships.choices(db, current_user.id)
    if not options:
        abort(403)  # an account of no commune sees nothing
    g.commune, g.commune_role = _pick(options, session.get(SESSION_KEY))
    g.commune_choices = [commune for commune, _role in options]
    session[SESSION_KEY] = g.commune.id
    binding = contextlib.ExitStack()
    binding.enter_context(communes.bound(g.commune))
    g.commune_binding = binding
    if g.commune_role is not None:
        return None
    # The province reads and never acts, unless it is also a member of the commune.
    if request.method not in READS and endpoint not in ACCOUNT_ENDPOINTS:
        abort(403)
    # The province's own page shows counts only; a commune's pages are its residents' data.
    if request.method in READS and endpoint != "staff.province":
        with transaction(db):
            memberships.record_province_read(db, g.commune, actor=actor(), target=request.path)
    return None


@bp.teardown_app_request
def close_commune(exc=None):
    """Unbind the request's commune."""
    binding = g.pop("commune_binding", None)
    if binding is not None:
        binding.close()


@bp.post("/commune")
def switch_commune():
    """Open another of the officer's communes; back to its queue, never to a page of the old one."""
    wanted = form_int("commune_id")
    options = memberships.choices(get_db(), current_user.id)
    for commune, _role in options:
        if commune.id == wanted:
            session[SESSION_KEY] = commune.id
            flash(_("You are now working in %(name)s.", name=commune.name), "info")
            return redirect(url_for("staff.queue"))
    abort(403)
