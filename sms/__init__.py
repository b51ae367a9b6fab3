"""SMS channel blueprint: Twilio and Android gateway webhooks."""

from flask import Blueprint

bp = Blueprint("sms", __name__, url_prefix="/sms")

from sms import routes  # noqa: E402,F401  (routes register on bp)
