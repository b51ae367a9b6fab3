"""Trips: the list, the printable trip sheet, bulk results after the trip and CSV export."""

import csv
import io

from flask import Response, abort, flash, render_template, request
from flask_babel import gettext as _

from app import lifecycle, trips
from app.infra.database import get_db
from app.request_queue import field, service_requests
from app.trips import trip_lists
from app.trips.sheet import results_open
from db import transaction
from staff import bp
from staff.common import actor, back, current_commune, refused
from staff.filters import day, label

RESULTS = ("visited", "unreachable")
# A cell starting with one of these is a formula in Excel, LibreOffice and Google Sheets.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value):
    """Return VALUE for a CSV cell, with a formula defused by a leading apostrophe (OWASP)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def sheet_lines(db, trip_id):
    """Return the trip's sheet rows (route order), numbered, with landmarks."""
    return field.sheet(db, trip_id)


def load_trip(db, trip_id):
    """Return a trip with its hamlets and load, or answer 404."""
    commune = current_commune()
    trip = trip_lists.trip_row(db, commune, trip_id)
    if trip is None:
        abort(404)
    return trip_lists.trips_with_load(db, commune, [trip])[0]


@bp.get("/trips")
def trip_list():
    """List the coming and the recent trips."""
    db = get_db()
    return render_template(
        "staff/trips.html",
        coming=trip_lists.coming_trips(db, current_commune(), limit=20),
        recent=trip_lists.recent_trips(db, current_commune()),
    )


@bp.get("/trips/<int:trip_id>")
def trip_detail(trip_id):
    """Show the printable sheet for one trip, with the bulk results form."""
    db = get_db()
    trip = load_trip(db, trip_id)
    lines = sheet_lines(db, trip_id)
    return render_template(
        "staff/trip.html", trip=trip, lines=lines, results_open=results_open(trip)
    )


@bp.get("/trips/<int:trip_id>.csv")
def trip_csv(trip_id):
    """Export a trip sheet as CSV (UTF-8 with BOM, so spreadsheets read the accents)."""
    db = get_db()
    trip = load_trip(db, trip_id)
    lines = sheet_lines(db, trip_id)
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL)
    # Headers and values in the officer's language: the sheet is read in a spreadsheet.
    writer.writerow(
        [
            _("No."),
            _("Hamlet"),
            _("Ref"),
            _("Resident"),
            _("Phone"),
            _("How to find the house"),
            _("Need"),
            _("Documents to bring"),
            _("Goes first because"),
            _("Status"),
        ]
    )
    for line in lines:
        # Names, landmarks and needs come from residents (SMS, Open311): never a live formula.
        cells = [
            line["number"],
            line["hamlet"],
            line["ref"],
            line["resident"],
            line["phone_display"],
            line["landmark"],
            line["need"],
            "; ".join(line["documents"]),
            ", ".join(label(reason, "reason") for reason in line["vulnerable_reasons"]),
            label(line["status"]),
        ]
        writer.writerow([spreadsheet_safe(cell) for cell in cells])
    filename = f"trip-{trip['date']}-{trip['session']}.csv"
    return Response(
        "\ufeff" + buffer.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.post("/trips/<int:trip_id>/results")
def trip_results(trip_id):
    """Record the outcome of each visit on the trip in one go, once the officer confirms."""
    db = get_db()
    trip = load_trip(db, trip_id)
    ticked = [key for key, value in request.form.items() if key.startswith("result-") and value]
    if ticked and not request.form.get("confirm"):
        refused(_("Tick the box to confirm the results, then save again."))
        return back("staff.trip_detail", trip_id=trip_id)
    done, skipped, early = 0, 0, 0
    with transaction(db):
        for row in trips.trip_sheet(db, trip_id):
            request_id = row["request_id"]
            result = request.form.get(f"result-{request_id}", "")
            if result not in RESULTS:
                continue
            if row["status"] != "scheduled":
                skipped += 1
                continue
            note = (request.form.get(f"note-{request_id}") or "").strip()[:1000] or None
            try:
                if result == "visited":
                    service_requests.mark_visited(db, request_id, actor=actor(), note=note)
                else:
                    service_requests.mark_unreachable(db, request_id, actor=actor(), note=note)
            except service_requests.VisitBeforeTrip:
                early += 1
                continue
            except lifecycle.InvalidTransition:
                skipped += 1
                continue
            done += 1
    if done:
        flash(_("Results saved for %(count)s visits.", count=done), "success")
    if early:
        flash(
            _(
                "%(count)s visits were not marked visited: the trip is on %(date)s.",
                count=early,
                date=day(trip["date"]),
            ),
            "error",
        )
    if skipped:
        flash(
            _("%(count)s visits were already closed and were left as they were.", count=skipped),
            "warning",
        )
    if not done and not skipped and not early:
        flash(_("No results were ticked."), "info")
    return back("staff.trip_detail", trip_id=trip_id)
