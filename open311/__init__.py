"""Open311 GeoReport v2 blueprint."""

from flask import Blueprint

bp = Blueprint("open311", __name__, url_prefix="/open311/v2")

from open311 import routes  # noqa: E402,F401  (routes register on bp)


@bp.record_once
def _keyed_not_csrf(state):
    """API clients prove themselves by key, not by a CSRF token."""
    from app.infra.extensions import csrf

    csrf.exempt(bp)
