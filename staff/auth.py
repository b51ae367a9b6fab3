"""Sign-in, sign-out, password change, the language switch, the login guard and headers."""

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user, logout_user

from app.accounts import logins, users
from app.infra.database import get_db
from app.infra.extensions import UI_LANGUAGES, login_manager
from db import transaction
from staff import bp
from staff.common import StaffUser, safe_next

# Blueprints that prove themselves another way (signature, API key) or are public by design.
# The simulator is not among them: it reads any number's thread and texts as anyone.
PUBLIC_BLUEPRINTS = {"health", "metrics", "sms", "voice", "open311"}
# The field service worker is a static script; it holds no data and must load to go offline.
PUBLIC_ENDPOINTS = {"static", "staff.login", "staff.language", "staff.field_service_worker"}
# What an officer who must first choose a new password may still reach.
BEFORE_NEW_PASSWORD = {"static", "staff.password", "staff.logout", "staff.language"}
HSTS = "max-age=31536000"
# The browser's cache and this site's storage: the service worker, its copies, IndexedDB.
# Cookies stay, so the device cookie still shields the officer from lockouts by others.
CLEAR_ON_SIGN_OUT = '"cache", "storage"'

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
def load_user(session_id):
    """Rebuild the officer from the session; a deactivated account or an old cookie is out."""
    user_id, _sep, version = str(session_id).partition(":")
    try:
        row = users.get(get_db(), int(user_id))
    except (TypeError, ValueError):
        return None
    if not row or not row["active"] or str(row["session_version"]) != version:
        return None
    return StaffUser(row)


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
    if current_user.must_change_password and endpoint not in BEFORE_NEW_PASSWORD:
        return redirect(url_for("staff.password"))
    return None


@bp.after_app_request
def security_headers(response):
    """Add the security headers to every response; keep staff pages out of shared caches."""
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    if request.blueprint == "staff" and request.endpoint != "static":
        response.headers.setdefault("Cache-Control", "no-store")
    if current_app.config["PUBLIC_BASE_URL"].startswith("https://"):
        response.headers.setdefault("Strict-Transport-Security", HSTS)
    return response


def _login_page(target, status=200, **values):
    """Render the sign-in form with the officer's next page kept."""
    return render_template("staff/login.html", next=target, **values), status


LOCKED = _l(
    "Too many failed sign-ins. Wait 15 minutes, then try again, or ask an admin to unlock "
    "the account in Settings."
)


def _locked_page(target, username):
    """The sign-in form refused for 15 minutes (429), saying who can lift it sooner."""
    page, status = _login_page(target, 429, error=str(LOCKED), username=username)
    return page, status, {"Retry-After": str(int(logins.WINDOW.total_seconds()))}


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Show the sign-in form and check the password, with throttling of failures."""
    if current_user.is_authenticated:
        return redirect(url_for("staff.queue"))
    target = request.values.get("next", "")
    if request.method == "GET":
        return _login_page(target)
    username = (request.form.get("username") or "").strip()
    password = request.form.get("password") or ""
    # The client's own address: ProxyFix rewrites it from X-Forwarded-For only when
    # TRUSTED_PROXIES says a proxy is in front, so a client cannot choose it.
    address = request.remote_addr or ""
    secret = current_app.config["SECRET_KEY"]
    device = logins.trusted_device(secret, request.cookies.get(logins.DEVICE_COOKIE), username)
    db = get_db()
    if logins.is_locked(db, address, username, device):
        return _locked_page(target, username)
    row = users.check_password(db, username, password) if username and password else None
    with transaction(db):
        logins.record(
            db, address, username, ok=bool(row), user_id=row["id"] if row else None, device=device
        )
        # Each attempt also clears the month-old ones, so the table stays small.
        logins.prune(db)
    if not row:
        left = logins.tries_left(db, address, username, device)
        then = (
            str(LOCKED)
            if left == 0
            else _("%(count)s tries left before a 15-minute wait.", count=left)
        )
        message = _("Wrong username or password.") + " " + then
        return _login_page(target, 401, error=message, username=username)
    # A fresh session on sign-in, so a planted cookie cannot ride along.
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    login_user(StaffUser(row))
    if row["must_change_password"]:
        response = redirect(url_for("staff.password"))
    else:
        response = redirect(safe_next(target))
    if not device:
        response.set_cookie(
            logins.DEVICE_COOKIE,
            logins.new_device_token(secret, row["username"]),
            max_age=logins.DEVICE_COOKIE_DAYS * 86400,
            httponly=True,
            samesite="Lax",
            secure=current_app.config["SESSION_COOKIE_SECURE"],
        )
    return response


@bp.post("/logout")
def logout():
    """Sign out: this cookie and any copy of it stop working, then back to the login page."""
    if current_user.is_authenticated:
        db = get_db()
        with transaction(db):
            users.end_sessions(db, current_user.id)
    logout_user()
    session.clear()
    flash(_("You are signed out."), "info")
    response = redirect(url_for("staff.login"))
    # Field mode keeps trips and results on the phone; signing out takes them off it.
    response.headers["Clear-Site-Data"] = CLEAR_ON_SIGN_OUT
    return response


def _password_error(current):
    """Check the new password of the change-password form; return what is wrong, or None."""
    new = request.form.get("new_password") or ""
    if new != (request.form.get("confirm_password") or ""):
        return _("The two new passwords are not the same.")
    if new == current:
        return _("Choose a password different from the current one.")
    problem = users.password_problem(new, current_user.username)
    return _(problem) if problem else None


@bp.route("/password", methods=["GET", "POST"])
def password():
    """Let the signed-in officer choose a new password (required after a given one)."""
    if request.method == "POST":
        db = get_db()
        # The current password is guessed here as on the sign-in page, under the same throttle:
        # a borrowed session must not become an unthrottled way to learn it.
        address, username = request.remote_addr or "", current_user.username
        secret = current_app.config["SECRET_KEY"]
        device = logins.trusted_device(secret, request.cookies.get(logins.DEVICE_COOKIE), username)
        if logins.is_locked(db, address, username, device):
            message = _("Too many failed sign-ins. Wait 15 minutes, then try again.")
            retry = {"Retry-After": str(int(logins.WINDOW.total_seconds()))}
            return render_template("staff/password.html", error=message), 429, retry
        current = request.form.get("current_password") or ""
        if not users.check_password(db, username, current):
            with transaction(db):
                logins.record(db, address, username, ok=False, device=device)
            error = _("The current password is not right.")
            return render_template("staff/password.html", error=error), 400
        error = _password_error(current)
        if error:
            return render_template("staff/password.html", error=error), 400
        with transaction(db):
            users.set_password(db, current_user.id, request.form["new_password"])
            row = users.get(db, current_user.id)
        # Every other session of the account has ended; this one carries on.
        login_user(StaffUser(row))
        flash(_("Password changed. Other sessions of this account are signed out."), "success")
        return redirect(url_for("staff.queue"))
    return render_template("staff/password.html")


@bp.post("/language")
def language():
    """Switch the console between Vietnamese and English."""
    code = request.form.get("lang")
    if code in UI_LANGUAGES:
        session["lang"] = code
    return redirect(safe_next(request.form.get("next")))
