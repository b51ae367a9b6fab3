"""Phone simulator blueprint (dev phone)."""

from flask import Blueprint

bp = Blueprint("simulator", __name__)
