"""Staff console blueprint: the commune's web page for the queue and trips."""

from flask import Blueprint

bp = Blueprint("staff", __name__)

from app.staff import routes  # noqa: E402,F401  (routes register on bp)
