"""The console's alarm: a red banner on every page when a phone of the commune goes quiet."""

from flask import current_app, g
from flask_login import current_user

from app.delivery import gateway_budget, gateway_watch
from app.infra import clock
from app.infra.database import get_db
from staff import bp


def gateway_alarm(db, commune, config, now=None):
    """What COMMUNE's banner says: a silence, a set-up problem, a phone that stopped sending.

    Only COMMUNE's own phones count: another commune's officers cannot fix them. None when
    all is well or the commune has no gateway phone.
    """
    now = now or clock.now()
    devices = gateway_watch.watched(db, config, commune)
    if not devices:
        return None
    silences = [quiet for quiet in (gateway_watch.alarm(db, d, now) for d in devices) if quiet]
    if silences:
        since = clock.to_local(min(quiet.since for quiet in silences))
        same_day = since.date() == clock.to_local(now).date()
        return {"since": since.strftime("%H:%M" if same_day else "%H:%M %d/%m")}
    problem = gateway_watch.setup_problem(db, commune.id)
    if problem is not None:
        return {"setup": problem["detail"]}
    stuck, since = gateway_budget.stalled(db, now=now, commune_id=commune.id)
    if stuck:
        return {"stalled": stuck, "stalled_since": clock.to_local(since).strftime("%H:%M")}
    return None


@bp.context_processor
def console_alarms():
    """Give the console's pages `gateway_alarm` (see gateway_alarm), for signed-in staff."""
    commune = g.get("commune")
    if not current_user.is_authenticated or commune is None:
        return {"gateway_alarm": None}
    return {"gateway_alarm": gateway_alarm(get_db(), commune, current_app.config)}
