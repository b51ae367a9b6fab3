"""Helpers shared by the console views: the signed-in user, roles and form parsing."""

import functools
from urllib.parse import urlsplit

from flask import abort, flash, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import UserMixin, current_user

from app import lifecycle, trips
from app.infra.web.converters import SQLITE_INT_MAX
from db import transaction


class StaffUser(UserMixin):
    """A signed-in commune officer, built from a staff_users row."""

    def __init__(self, row):
        self.id = row["id"]
        self.username = row["username"]
        self.display_name = row["display_name"] or row["username"]
        self.language = row["language"] or "vi"
        self.session_version = row["session_version"]
        self.must_change_password = bool(row["must_change_password"])
        self.is_province = bool(row["province"])

    def get_id(self):
        # Flask-Login keeps this in the session: the version makes old cookies useless.
        return f"{self.id}:{self.session_version}"

    @property
    def role(self):
        """The officer's role in the commune open in this request, or None (reads only)."""
        return g.get("commune_role")

    @property
    def is_admin(self):
        return self.role == "admin"


def current_commune():
    """The commune the console shows in this request (resolved before any view runs)."""
    return g.commune


def actor():
    """The name recorded on request events for the signed-in officer."""
    return current_user.username


def admin_required(view):
    """Refuse a view with 403 unless the officer is an admin."""

    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_authenticated or not current_user.is_admin:
            abort(403)
        return view(*args, **kwargs)

    return wrapped


def parse_int(value, default=None):
    """Parse a whole number SQLite can store; blank, malformed or out of range gives DEFAULT."""
    try:
        number = int(str(value or "").strip())
    except ValueError:
        return default
    return number if -SQLITE_INT_MAX - 1 <= number <= SQLITE_INT_MAX else default


def form_int(name, default=None):
    """Read an integer form field; blank, malformed or out of range gives DEFAULT."""
    return parse_int(request.form.get(name), default)


def arg_int(name, default=None):
    """Read an integer query argument; blank, malformed or out of range gives DEFAULT."""
    return parse_int(request.args.get(name), default)


def form_flag(name):
    """Read a checkbox as 0 or 1."""
    return 1 if request.form.get(name) else 0


def is_local_path(target):
    """Tell whether TARGET is a path on this site: no scheme, no host, nothing a browser rewrites.

    Browsers drop tabs and newlines and read a backslash as a slash, so a slash, a tab and
    "/evil.example" would leave the site: anything but printable ASCII is refused.
    """
    if not isinstance(target, str) or not target.startswith("/") or target.startswith("//"):
        return False
    if any(not 0x21 <= ord(char) <= 0x7E for char in target) or "\\" in target:
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc and parts.path.startswith("/")


def safe_next(target, fallback="staff.queue"):
    """Return TARGET if it is a path on this site, else the FALLBACK page."""
    return target if is_local_path(target) else url_for(fallback)


def back(endpoint, **values):
    """Redirect to a console page (after a POST)."""
    return redirect(url_for(endpoint, **values))


def refused(message):
    """Flash why an action could not be done."""
    flash(message or _("That could not be done."), "error")


def trip_error_text(exc):
    """Show a domain error with a template (TripError, SettingError) in the officer's language."""
    return _(exc.template, **exc.params)


def attempt(db, change):
    """Run CHANGE(db) in a transaction; return True, or flash why it could not be done."""
    try:
        with transaction(db):
            change(db)
    except (trips.TripError, lifecycle.InvalidTransition) as exc:
        # A refusal that carries its own wording (a trip's, or "before the trip day") says it.
        if hasattr(exc, "template"):
            refused(trip_error_text(exc))
        else:
            refused(_("That change is not possible from the request's current status."))
    except LookupError:
        refused(_("That trip or request no longer exists."))
    except ValueError as exc:
        refused(str(exc))
    else:
        return True
    return False
