"""Settings (admins only): hamlets, schedule rules, trips, staff accounts and API keys."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user

from app import trips
from app.accounts import apikeys, audit, logins, users
from app.catalogue import commune_settings, hamlets, place_names
from app.infra.database import get_db
from app.language import formats
from app.trips import trip_lists
from db import transaction
from staff import bp
from staff.common import (
    StaffUser,
    actor,
    admin_required,
    back,
    current_commune,
    form_flag,
    form_int,
    parse_int,
    refused,
    trip_error_text,
)
from staff.filters import WEEKDAY_NAMES, ui_language

WEEKDAYS = range(7)
TIME_FIELDS = ("reminder_time", "quiet_start", "quiet_end")
MAX_ROUTE_ORDER = 9999


# The page's sections, in order; a form's address names its section (/settings/users/3).
SECTIONS = {
    "hamlets": _l("Hamlets"),
    "aliases": _l("Other names"),
    "rules": _l("Schedule"),
    "trips": _l("Trips"),
    "users": _l("Staff accounts"),
    "keys": _l("API keys"),
    "commune": _l("Commune"),
    "changes": _l("Change log"),
}
SECTION_OF_PATH = {"api-keys": "keys"}


def section_here():
    """The settings section the current form belongs to, or the one asked for (?open=)."""
    parts = request.path.strip("/").split("/")
    if request.method == "POST" and len(parts) > 1:
        if "aliases" in parts:
            return "aliases"
        return SECTION_OF_PATH.get(parts[1], parts[1] if parts[1] in SECTIONS else None)
    asked = request.args.get("open", "")
    return asked if asked in SECTIONS else None


def back_to_section():
    """Redirect after a save to the settings page with the form's section open and in view."""
    section = section_here()
    if section is None:
        return back("staff.settings")
    return redirect(url_for("staff.settings", open=section, _anchor=section))


def render_settings(new_key=None, status=200):
    """Render the settings page (with a just-created API key shown once)."""
    db = get_db()
    commune = current_commune()
    accounts = users.all_users(db, commune)
    return render_template(
        "staff/settings.html",
        hamlets=hamlets.every(db),
        aliases=place_names.aliases(db),
        suggested=place_names.aliases(db, place_names.SUGGESTED),
        rules=trips.list_rules(db),
        coming=trip_lists.coming_trips(db, commune, limit=16),
        users=accounts,
        locked={row["id"] for row in accounts if logins.locked_out(db, row["username"])},
        keys=apikeys.all_keys(db, commune),
        commune=commune_settings.current(db),
        changes=audit.recent(db, commune),
        new_key=new_key,
        sessions=trips.SESSIONS,
        weekdays=WEEKDAYS,
        weekday_names=WEEKDAY_NAMES.get(ui_language(), WEEKDAY_NAMES["vi"]),
        section_names=[(key, str(name)) for key, name in SECTIONS.items()],
        open_section="keys" if new_key else section_here(),
    ), status


@bp.get("/settings")
@admin_required
def settings():
    """Show every settings section."""
    return render_settings()


def hamlet_ids_field():
    """The hamlet checkboxes of a rule or trip form, as ints: the commune's hamlets only."""
    own = trip_lists.hamlet_ids(get_db(), current_commune())
    parsed = (parse_int(value) for value in request.form.getlist("hamlet_ids"))
    return [hamlet_id for hamlet_id in parsed if hamlet_id in own]


def attempt(change, done_message, *, action, target=None):
    """Run CHANGE(db) and log it as ACTION in one transaction; flash, then back to settings."""
    db = get_db()
    try:
        with transaction(db):
            change(db)
            audit.record(db, current_commune(), actor=actor(), action=action, target=target)
    except (trips.TripError, commune_settings.SettingError) as exc:
        refused(_("Not saved: %(reason)s", reason=trip_error_text(exc)))
    except (hamlets.HamletError, users.AccountError) as exc:
        reasons = {
            "name": _("the name cannot be empty"),
            "duplicate": _("that name is already used"),
            "role": _("unknown role"),
            "self": _("you cannot remove your own admin access"),
            "missing": _("no such account"),
            "shared": _(
                "the account also works for another commune or the province; its owner "
                "changes the password"
            ),
        }
        refused(_("Not saved: %(reason)s", reason=reasons.get(str(exc), str(exc))))
    except users.UserExists:
        refused(_("Not saved: %(reason)s", reason=_("that username is taken")))
    except users.WeakPassword as exc:
        refused(_("Not saved: %(reason)s", reason=_(str(exc))))
    else:
        flash(done_message, "success")
        return back_to_section()
    # Refused: the page again, with why, as a 400 (nothing was changed).
    return render_settings(status=400)


@bp.post("/settings/commune")
@admin_required
def commune_save():
    """Save the office phone, reminder time, quiet hours and limits."""
    submitted = {key: request.form[key] for key in commune_settings.DEFAULTS if key in request.form}
    for key in TIME_FIELDS:
        if key in submitted:
            submitted[key] = formats.hhmm(submitted[key])
    return attempt(
        lambda db: commune_settings.save(db, submitted),
        _("Settings saved."),
        action="commune_settings",
        target=", ".join(f"{key}={value}" for key, value in sorted(submitted.items())),
    )


@bp.post("/settings/hamlets", defaults={"hamlet_id": None})
@bp.post("/settings/hamlets/<int:hamlet_id>")
@admin_required
def hamlet_save(hamlet_id):
    """Add a hamlet or change its name, route order, active flag and serving rules."""
    own_hamlets = trip_lists.hamlet_ids(get_db(), current_commune())
    if hamlet_id is not None and hamlet_id not in own_hamlets:
        abort(404)
    route_order = form_int("route_order") if request.form.get("route_order", "").strip() else 0
    if route_order is None or not 0 <= route_order <= MAX_ROUTE_ORDER:
        refused(_("Not saved: the route order is a whole number from 0 to 9999."))
        return render_settings(status=400)
    parsed = (parse_int(value) for value in request.form.getlist("rule_ids"))
    own_rules = trip_lists.rule_ids(get_db(), current_commune())
    rule_ids = [rule_id for rule_id in parsed if rule_id in own_rules]

    def change(db):
        hamlet = hamlets.save(
            db,
            hamlet_id,
            name=request.form.get("name"),
            route_order=route_order,
            active=form_flag("active"),
        )
        trips.serve_hamlet(db, hamlet["id"], rule_ids, actor=actor())

    return attempt(
        change,
        _("Hamlet saved."),
        action="hamlet_saved",
        target=(request.form.get("name") or "").strip()[:100],
    )


@bp.post("/settings/rules", defaults={"rule_id": None})
@bp.post("/settings/rules/<int:rule_id>")
@admin_required
def rule_save(rule_id):
    """Add a schedule rule or change one; its planned trips follow."""
    known = trip_lists.rule_ids(get_db(), current_commune())
    if rule_id is not None and rule_id not in known:
        abort(404)
    weekday = form_int("weekday")

    def change(db):
        trips.save_rule(
            db,
            rule_id=rule_id,
            weekday=weekday if weekday is not None else -1,
            session=request.form.get("session", ""),
            start_time=formats.hhmm(request.form.get("start_time", "")),
            end_time=formats.hhmm(request.form.get("end_time", "")),
            hamlet_ids=hamlet_ids_field(),
            capacity=request.form.get("capacity", ""),
            active=bool(request.form.get("active")),
            actor=actor(),
        )

    return attempt(
        change,
        _("Schedule rule saved. Planned trips follow it."),
        action="rule_saved",
        target=f"rule {rule_id}" if rule_id else "new rule",
    )


@bp.post("/settings/trips/<int:trip_id>/cancel")
@admin_required
def trip_cancel(trip_id):
    """Cancel a planned trip; its requests move to the next trip and residents are told."""
    if not trip_lists.trip_row(get_db(), current_commune(), trip_id):
        abort(404)
    note = (request.form.get("note") or "").strip()[:500] or None
    return attempt(
        lambda db: trips.cancel_trip(db, trip_id, actor=actor(), note=note),
        _("Trip cancelled. Its visits moved to the next trip and residents get an SMS."),
        action="trip_cancelled",
        target=f"trip {trip_id}",
    )


@bp.post("/settings/trips/extra")
@admin_required
def trip_extra():
    """Add a one-off trip; waiting requests in its hamlets are booked on it."""
    return attempt(
        lambda db: trips.add_extra_trip(
            db,
            formats.iso_day(request.form.get("date", "")),
            request.form.get("session", ""),
            formats.hhmm(request.form.get("start_time", "")),
            formats.hhmm(request.form.get("end_time", "")),
            hamlet_ids_field(),
            request.form.get("capacity", ""),
            actor=actor(),
            note=(request.form.get("note") or "").strip()[:500] or None,
        ),
        _("Extra trip added."),
        action="trip_added",
        target=request.form.get("date", "")[:10],
    )


@bp.post("/settings/users", defaults={"user_id": None})
@bp.post("/settings/users/<int:user_id>")
@admin_required
def user_save(user_id):
    """Create a staff account, or change one's role, active flag or password."""
    if user_id is not None and not users.member(get_db(), current_commune(), user_id):
        abort(404)
    role = request.form.get("role")
    password = request.form.get("password") or ""
    if user_id is None:
        username = (request.form.get("username") or "").strip()
        if not username or role not in users.ROLES:
            refused(_("Give a username, a role and a password of at least 8 characters."))
            return back_to_section()
        return attempt(
            lambda db: users.create_user(
                db,
                username,
                password,
                role=role,
                display_name=(request.form.get("display_name") or "").strip() or None,
                # The admin chose it, so the new officer picks their own at first sign-in.
                must_change_password=True,
                commune=current_commune(),
            ),
            _("Account created."),
            action="account_created",
            target=username,
        )
    response = attempt(
        lambda db: users.update_user(
            db,
            user_id,
            current_commune(),
            acting_user_id=current_user.id,
            role=role,
            active=bool(request.form.get("active")),
            password=password or None,
        ),
        _("Account saved."),
        action="account_saved",
        target=f"account {user_id}",
    )
    if password and user_id == current_user.id:
        # A new password ends the account's sessions; keep the admin's own one going.
        login_user(StaffUser(users.get(get_db(), user_id)))
    return response


@bp.post("/settings/users/<int:user_id>/unlock")
@admin_required
def user_unlock(user_id):
    """Lift the sign-in wait of an account locked by failed tries, before its 15 minutes."""
    db = get_db()
    account = users.member(db, current_commune(), user_id)
    if not account:
        abort(404)
    with transaction(db):
        logins.unlock(db, current_commune(), account["username"], actor=actor())
    flash(_("Account unlocked: it can sign in again now."), "success")
    return back_to_section()


@bp.post("/settings/api-keys")
@admin_required
def api_key_create():
    """Create an Open311 API key and show it once."""
    name = (request.form.get("name") or "").strip()[:100]
    if not name:
        refused(_("Give the key a name, for example the partner who will use it."))
        return back_to_section()
    db = get_db()
    with transaction(db):
        key = apikeys.create_key(db, current_commune(), name)
        audit.record(db, current_commune(), actor=actor(), action="api_key_created", target=name)
    flash(_("Key created. Copy it now: it will not be shown again."), "warning")
    return render_settings(new_key={"name": name, "key": key})


@bp.post("/settings/api-keys/<int:key_id>/revoke")
@admin_required
def api_key_revoke(key_id):
    """Revoke an API key."""
    if not any(key["id"] == key_id for key in apikeys.all_keys(get_db(), current_commune())):
        abort(404)
    return attempt(
        lambda db: apikeys.revoke(db, current_commune(), key_id),
        _("Key revoked."),
        action="api_key_revoked",
        target=f"key {key_id}",
    )
