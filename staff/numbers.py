"""Numbers at a glance: requests per hamlet per week and the share of visits completed."""

from flask import render_template

from app.infra.database import get_db
from app.request_queue import stats
from staff import bp
from staff.common import current_commune


@bp.get("/stats")
def numbers():
    """Show the weekly chart (server-rendered SVG) and the completion figures."""
    db = get_db()
    weeks = 8
    return render_template(
        "staff/stats.html",
        chart=stats.weekly_chart(db, current_commune(), weeks=weeks),
        completion=stats.completion(db, current_commune(), weeks=weeks),
        handovers=stats.handover_rate(db, weeks=weeks),
        weeks=weeks,
    )
