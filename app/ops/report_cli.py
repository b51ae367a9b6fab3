"""`flask report monthly`: a commune's monthly report written as files under instance/reports."""

import os

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext

from app import communes
from app.infra.database import get_db
from app.ops.commune_cli import resolve
from app.reports import counters, files, months
from db import transaction

report_group = AppGroup("report", help="Write the monthly reports of the communes.")


def reports_root(app):
    """Where report files go: REPORTS_DIR, by default instance/reports."""
    return app.config.get("REPORTS_DIR") or os.path.join(app.instance_path, "reports")


@report_group.command("monthly")
@with_appcontext
@click.option("--month", required=True, metavar="YYYY-MM", help="The month, e.g. 2026-11.")
@click.option("--commune", "commune_code", metavar="CODE", help="One commune (default: all).")
@click.option(
    "--format", "fmt", type=click.Choice(files.FORMATS), help="One format (default: both)."
)
@click.option("--publish", is_flag=True, help="Hide counts under 5, for a published copy.")
def monthly_command(month, commune_code, fmt, publish):
    """Write the monthly report of each commune (or --commune CODE) and print the paths."""
    try:
        months.parse(month)
    except months.BadMonth as exc:
        raise click.BadParameter(str(exc), param_hint="--month") from None
    db = get_db()
    chosen = [resolve(db, commune_code)] if commune_code else communes.every(db)
    root = reports_root(current_app)
    for commune in chosen:
        with communes.bound(commune):
            paths = files.write_month(
                db, commune, month, root, (fmt,) if fmt else files.FORMATS, published=publish
            )
        for path in paths:
            click.echo(str(path))


@report_group.command("rebuild")
@with_appcontext
@click.option("--commune", "commune_code", metavar="CODE", help="One commune (default: all).")
def rebuild_command(commune_code):
    """Recompute the daily counters from the raw rows (requests, events, messages, calls)."""
    db = get_db()
    commune = resolve(db, commune_code) if commune_code else None
    with transaction(db):
        days, total = counters.rebuild(db, commune)
    click.echo(f"{days} counters rebuilt, {total} counted")


def init_app(app):
    """Register the report command group."""
    app.cli.add_command(report_group)
