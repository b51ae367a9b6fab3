"""Phone simulator blueprint (dev phone): try every resident flow without Twilio or a SIM.

The page lives at /simulator; its terminal twin is `flask sms NUMBER TEXT` and `flask call NUMBER`
(cli_group=None puts the commands at the top level).
"""

from flask import Blueprint

bp = Blueprint("simulator", __name__, url_prefix="/simulator", cli_group=None)

from simulator import cli, routes  # noqa: E402,F401  (commands and routes register on bp)
