"""Flask extensions shared by the blueprints: CSRF, staff sign-in and UI translations."""

from pathlib import Path

from flask import current_app, session
from flask_babel import Babel
from flask_login import LoginManager, current_user
from flask_wtf.csrf import CSRFProtect

from app.infra.web.sessions import StaffOnlySessions

csrf = CSRFProtect()
login_manager = LoginManager()
babel = Babel()

UI_LANGUAGES = ("vi", "en")
TRANSLATIONS = Path(__file__).resolve().parents[2] / "translations"


def select_locale():
    """Pick the console language: the visitor's choice, else Vietnamese."""
    chosen = session.get("lang")
    if chosen in UI_LANGUAGES:
        return chosen
    if current_user and getattr(current_user, "is_authenticated", False):
        if current_user.language in UI_LANGUAGES:
            return current_user.language
    return current_app.config.get("BABEL_DEFAULT_LOCALE", "vi")


def _cookie_settings(app):
    """Harden the session cookie; Secure only when the public URL is https."""
    secure = app.config.get("PUBLIC_BASE_URL", "").startswith("https://")
    # Flask's defaults already hold these keys, so they are set outright, not setdefault.
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=secure,
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_SECURE=secure,
    )
    # A day's shift; officers sign in again the next morning.
    app.config["PERMANENT_SESSION_LIFETIME"] = 12 * 3600


def init_app(app):
    """Attach the extensions to APP."""
    _cookie_settings(app)
    app.session_interface = StaffOnlySessions()
    app.config.setdefault("BABEL_DEFAULT_LOCALE", "vi")
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(TRANSLATIONS))
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "staff.login"
    babel.init_app(app, locale_selector=select_locale)
