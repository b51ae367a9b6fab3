"""Voice channel blueprint: the Twilio IVR."""

from flask import Blueprint

bp = Blueprint("voice", __name__, url_prefix="/voice")

from voice import routes  # noqa: E402,F401  (routes register themselves on bp)
