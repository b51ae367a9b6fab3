"""Voice channel blueprint: the Twilio IVR."""

from flask import Blueprint

bp = Blueprint("voice", __name__, url_prefix="/voice")
