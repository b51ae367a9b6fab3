"""SMS channel blueprint: Twilio and Android gateway webhooks."""

from flask import Blueprint

bp = Blueprint("sms", __name__, url_prefix="/sms")
