"""The console's alarm: a red banner on every page when the gateway phone has gone quiet."""

from flask import current_app, g
from flask_login import current_user

from app import channels
from app.delivery import gateway_budget, gateway_watch
from app.infra import clock, gateway_api
from app.infra.database import get_db
from staff import bp


def gateway_alarm(db, now=None):
    """What the banner says: a silence, a set-up problem, a phone that stopped sending, or None."""
    now = now or clock.now()
    quiet = gateway_watch.alarm(db, now)
    if quiet is not None:
        since = clock.to_local(quiet.since)
        same_day = since.date() == clock.to_local(now).date()
        return {"since": since.strftime("%H:%M" if same_day else "%H:%M %d/%m")}
    problem = gateway_watch.setup_problem(db)
    if problem is not None:
        return {"setup": problem["detail"]}
    stuck, since = gateway_budget.stalled(db, now=now)
    if stuck:
        return {"stalled": stuck, "stalled_since": clock.to_local(since).strftime("%H:%M")}
    return None


@bp.context_processor
def console_alarms():
    """Give the console's pages `gateway_alarm` (see gateway_alarm), for signed-in staff."""
    if not current_user.is_authenticated or not gateway_api.in_use(current_app.config):
        return {"gateway_alarm": None}
    db = get_db()
    # The gateway phone is one commune's SIM: another commune's officers cannot fix it.
    commune = g.get("commune")
    if commune is None or not channels.can_send(db, commune.id, "gateway"):
        return {"gateway_alarm": None}
    return {"gateway_alarm": gateway_alarm(db)}
