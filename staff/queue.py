"""The queue (home page): what needs attention, the coming trips, and the filtered list."""

from flask import render_template, request

from app import lifecycle
from app.catalogue import hamlets
from app.infra.database import get_db
from app.request_queue import field, request_lists
from app.trips import trip_lists
from staff import bp
from staff.common import arg_int, current_commune


def queue_filters():
    """Read the queue filters from the query string, ignoring values that make no sense."""
    hamlet = request.args.get("hamlet", "")
    return {
        "status": request.args.get("status", "open"),
        "kind": request.args.get("kind", ""),
        "channel": request.args.get("channel", ""),
        "hamlet": "none" if hamlet == "none" else arg_int("hamlet"),
        "trip": arg_int("trip"),
        "q": request.args.get("q", "")[:100],
    }


@bp.get("/")
def queue():
    """Show the queue: needs attention, coming trips, then the filtered, paged list."""
    db = get_db()
    commune = current_commune()
    filters = queue_filters()
    page = max(arg_int("page", 1), 1)
    rows, has_next = request_lists.queue_page(db, commune, filters, page)
    # The summary blocks only on the first, unfiltered page; a search goes straight to results.
    plain = page == 1 and not any(
        filters[key] for key in ("kind", "channel", "hamlet", "trip", "q")
    )
    return render_template(
        "staff/queue.html",
        rows=rows,
        has_next=has_next,
        page=page,
        filters=filters,
        attention=request_lists.needs_attention(db, commune) if plain else None,
        kept_notes=field.kept_as_notes(db, commune) if plain else [],
        trips=trip_lists.coming_trips(db, commune) if plain else None,
        hamlets=hamlets.active(db),
        trip_choices=trip_lists.trip_choices(db, commune),
        statuses=lifecycle.ALL_STATUSES,
        kinds=lifecycle.KINDS,
        channels=lifecycle.CHANNELS,
    )
