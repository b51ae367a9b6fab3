"""Flask extensions shared by the blueprints."""

from flask_wtf.csrf import CSRFProtect

csrf = CSRFProtect()


def init_app(app):
    """Attach the extensions to APP."""
    csrf.init_app(app)
