"""Numbers at a glance: requests per hamlet per week and the share of visits completed."""

from flask import render_template

from app.infra.database import get_db
from app.request_queue import stats
from staff import bp


@bp.get("/stats")
def numbers():
    """Show the weekly chart (server-rendered SVG) and the completion figures."""
    db = get_db()
    weeks = 8
    return render_template(
        "staff/stats.html",
        chart=stats.weekly_chart(db, weeks=weeks),
        completion=stats.completion(db, weeks=weeks),
        handovers=stats.handover_rate(db, weeks=weeks),
        weeks=weeks,
    )
