"""Sign-in, sign-out, the language switch, the login guard and security headers."""

from flask import flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from app import users
from app.extensions import UI_LANGUAGES, login_manager
from app.staff import bp, logins
from app.staff.common import StaffUser, safe_next
from db import get_db, transaction

# Blueprints that prove themselves another way (signature, API key) or are public by design.
PUBLIC_BLUEPRINTS = {"health", "metrics", "sms", "voice", "open311", "simulator"}
# The field service worker is a static script; it holds no data and must load to go offline.
PUBLIC_ENDPOINTS = {"static", "staff.login", "staff.language", "staff.field_service_worker"}

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "media-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}


@login_manager.user_loader
def load_user(user_id):
    """Rebuild the officer from the session; a deactivated account is signed out."""
    try:
        row = users.get(get_db(), int(user_id))
    except (TypeError, ValueError):
        return None
    return StaffUser(row) if row and row["active"] else None


def is_public(endpoint, blueprint):
    """Tell whether an endpoint may be reached without signing in."""
    return endpoint in PUBLIC_ENDPOINTS or blueprint in PUBLIC_BLUEPRINTS


@bp.before_app_request
def require_login():
    """Send anyone not signed in to the login page, except on the public routes."""
    endpoint = request.endpoint
    if endpoint is None or is_public(endpoint, request.blueprint):
        return None
    if not current_user.is_authenticated:
        return redirect(url_for("staff.login", next=request.full_path.rstrip("?")))
    return None


@bp.after_app_request
def security_headers(response):
    """Add the security headers to every response; keep staff pages out of shared caches."""
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    if request.blueprint == "staff" and request.endpoint != "static":
        response.headers.setdefault("Cache-Control", "no-store")
    return response


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Show the sign-in form and check the password, with throttling of failures."""
    if current_user.is_authenticated:
        return redirect(url_for("staff.queue"))
    target = request.values.get("next", "")
    if request.method == "GET":
        return render_template("staff/login.html", next=target)
    username = (request.form.get("username") or "").strip()
    password = request.form.get("password") or ""
    address = request.remote_addr or ""
    db = get_db()
    if logins.is_locked(db, address, username):
        message = _("Too many failed sign-ins. Wait 15 minutes, then try again.")
        page = render_template("staff/login.html", next=target, error=message, username=username)
        return page, 429, {"Retry-After": str(int(logins.WINDOW.total_seconds()))}
    row = users.check_password(db, username, password) if username and password else None
    with transaction(db):
        logins.record(db, address, username, ok=bool(row), user_id=row["id"] if row else None)
        # Each attempt also clears the month-old ones, so the table stays small.
        logins.prune(db)
    if not row:
        message = _("Wrong username or password.")
        return render_template(
            "staff/login.html", next=target, error=message, username=username
        ), 401
    # A fresh session on sign-in, so a planted cookie cannot ride along.
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    login_user(StaffUser(row))
    return redirect(safe_next(target))


@bp.post("/logout")
def logout():
    """Sign out and go back to the login page."""
    logout_user()
    session.clear()
    flash(_("You are signed out."), "info")
    return redirect(url_for("staff.login"))


@bp.post("/language")
def language():
    """Switch the console between Vietnamese and English."""
    code = request.form.get("lang")
    if code in UI_LANGUAGES:
        session["lang"] = code
    return redirect(safe_next(request.form.get("next")))
