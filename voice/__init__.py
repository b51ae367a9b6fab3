"""Voice channel blueprint: the Twilio IVR."""

from flask import Blueprint

bp = Blueprint("voice", __name__, url_prefix="/voice")

from voice import lengths, routes  # noqa: E402,F401  (routes register on bp, lengths on guidance)
