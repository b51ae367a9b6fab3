"""The province's page and a commune's monthly report: figures only, read-only, audited."""

from flask import abort, current_app, render_template, request, send_from_directory
from flask_login import current_user

from app import communes
from app.accounts import memberships
from app.infra import clock
from app.infra.database import get_db
from app.ops.report_cli import reports_root
from app.reports import access, charts, files, layout, months
from app.reports import province as province_view
from db import transaction
from staff import bp
from staff.common import actor


def _month_arg():
    """The ?month= asked for, or the last complete month; a bad one is a 400 with help."""
    text = request.args.get("month")
    if not text:
        return months.label(*months.last_complete(clock.local_zone()))
    try:
        return months.label(*months.parse(text))
    except months.BadMonth:
        abort(400, description="month must be written YYYY-MM, e.g. 2026-11")


@bp.get("/province")
def province():
    """Every commune's month side by side, for the province role only."""
    db = get_db()
    if not memberships.is_province(db, current_user.id):
        abort(403)
    month = _month_arg()
    view = province_view.overview(db, month, request.args.get("sort", ""))
    with transaction(db):
        access.record_province_read(db, actor=actor(), target=request.full_path)
    return render_template(
        "staff/province.html",
        view=view,
        columns=province_view.COLUMNS,
        min_rank=province_view.MIN_TO_RANK,
    )


def _readable_commune(db, code):
    commune = communes.by_code(db, code)
    if commune is None:
        abort(404)
    if not access.may_read(db, current_user.id, commune):
        abort(403)
    return commune


@bp.get("/reports/<code>/<month>")
def monthly_report(code, month):
    """One commune's monthly report, printable on A4: the province and the commune's admins."""
    db = get_db()
    commune = _readable_commune(db, code)
    try:
        months.parse(month)
    except months.BadMonth:
        abort(404)
    with communes.bound(commune):
        report = layout.monthly(db, commune, month)
    with transaction(db):
        access.record_read(db, commune.id, actor=actor(), target=request.path)
    return render_template("staff/report.html", report=report, charts=charts)


@bp.get("/reports")
def report_files():
    """The commune's monthly report files, newest first, with links to download them."""
    db = get_db()
    commune = communes.by_id(db, communes.current_id())
    if not access.may_read(db, current_user.id, commune):
        abort(403)
    found = files.listed(reports_root(current_app), commune)
    return render_template(
        "staff/reports.html",
        commune=commune,
        found=[path.name for path in found],
        month=months.label(*months.last_complete(commune.zone)),
    )


@bp.get("/reports/<code>/files/<name>")
def report_file(code, name):
    """Download one report file (send_from_directory refuses names leaving the folder)."""
    db = get_db()
    commune = _readable_commune(db, code)
    folder = files.folder(reports_root(current_app), commune)
    with transaction(db):
        access.record_read(db, commune.id, actor=actor(), target=request.path)
    return send_from_directory(folder, name, as_attachment=True)
