"""Numbers at a glance: weekly requests per hamlet and the share of visits completed.

The chart geometry is computed here so the page can draw it as plain server-side SVG:
no JavaScript and no chart library, so it works offline and under a strict CSP.
"""

import datetime as dt

from app import communes
from app.infra import clock
from app.lifecycle import ON_TRIP_STATUSES, sql_list

# Colour-blind-safe palette (Okabe-Ito first, then Tol's muted); cycles after 12 hamlets.
PALETTE = [
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#CC79A7",
    "#56B4E9",
    "#D55E00",
    "#F0E442",
    "#000000",
    "#882255",
    "#44AA99",
    "#999933",
    "#AA4499",
]
NO_HAMLET_COLOUR = "#9E9E9E"
WIDTH, HEIGHT = 720, 320
MARGIN = {"left": 44, "right": 12, "top": 16, "bottom": 40}


def _offset_modifier():
    """SQLite date modifier that turns stored UTC into the commune's local time."""
    offset = clock.now().astimezone(clock.local_zone()).utcoffset() or dt.timedelta()
    return f"{int(offset.total_seconds() // 60):+d} minutes"


def week_starts(weeks, today=None):
    """Return the Mondays of the last WEEKS weeks, oldest first (this week included)."""
    today = today or clock.local_today()
    monday = today - dt.timedelta(days=today.weekday())
    return [monday - dt.timedelta(weeks=n) for n in range(weeks - 1, -1, -1)]


def weekly_counts(db, commune, weeks=8):
    """Return (mondays, hamlets, counts) with counts[(monday_iso, hamlet_id)] = COMMUNE's
    requests.
    """
    mondays = week_starts(weeks)
    since = clock.iso(clock.at_local(mondays[0], "00:00"))
    found = communes.scoped_rows(
        db,
        commune,
        """
        SELECT date(requested_at, :offset, '-6 days', 'weekday 1') AS week, hamlet_id,
               count(*) AS n
        FROM requests WHERE commune_id = :commune_id AND requested_at >= :since
        GROUP BY week, hamlet_id
        """,
        {"offset": _offset_modifier(), "since": since},
    )
    counts = {(row["week"], row["hamlet_id"]): row["n"] for row in found}
    hamlets = communes.scoped_rows(
        db,
        commune,
        "SELECT id, name FROM hamlets WHERE commune_id = :commune_id ORDER BY route_order, id",
    )
    return mondays, hamlets, counts


def nice_ceiling(value):
    """Round VALUE up to 1, 2 or 5 times a power of ten, for the axis."""
    if value <= 0:
        return 1
    power = 1
    while power * 10 <= value:
        power *= 10
    for step in (1, 2, 5, 10):
        if step * power >= value:
            return step * power
    return 10 * power


def weekly_chart(db, commune, weeks=8):
    """Return the stacked-bar chart of requests per hamlet per week, ready to draw as SVG."""
    mondays, hamlets, counts = weekly_counts(db, commune, weeks)
    series = []
    for index, hamlet in enumerate(hamlets):
        series.append(
            {"id": hamlet["id"], "name": hamlet["name"], "colour": PALETTE[index % len(PALETTE)]}
        )
    if any(hamlet_id is None for _week, hamlet_id in counts):
        series.append({"id": None, "name": None, "colour": NO_HAMLET_COLOUR})
    totals = [
        sum(counts.get((monday.isoformat(), item["id"]), 0) for item in series)
        for monday in mondays
    ]
    top = nice_ceiling(max(totals or [0]))
    plot_w = WIDTH - MARGIN["left"] - MARGIN["right"]
    plot_h = HEIGHT - MARGIN["top"] - MARGIN["bottom"]
    slot = plot_w / max(len(mondays), 1)
    bar_w = slot * 0.7
    bars = []
    for index, monday in enumerate(mondays):
        x = MARGIN["left"] + index * slot + (slot - bar_w) / 2
        y = MARGIN["top"] + plot_h
        segments = []
        for item in series:
            count = counts.get((monday.isoformat(), item["id"]), 0)
            if not count:
                continue
            height = plot_h * count / top
            y -= height
            segments.append(
                {
                    "x": round(x, 1),
                    "y": round(y, 1),
                    "width": round(bar_w, 1),
                    "height": round(height, 1),
                    "colour": item["colour"],
                    "name": item["name"],
                    "count": count,
                }
            )
        bars.append(
            {
                "monday": monday,
                "label": f"{monday:%d/%m}",
                "label_x": round(x + bar_w / 2, 1),
                "total": totals[index],
                "total_y": round(y - 4, 1),
                "segments": segments,
            }
        )
    ticks = []
    for step in range(5):
        value = top * step / 4
        ticks.append(
            {
                "value": int(value) if value == int(value) else round(value, 1),
                "y": round(MARGIN["top"] + plot_h - plot_h * step / 4, 1),
            }
        )
    table = [
        {
            "name": item["name"],
            "colour": item["colour"],
            "counts": [counts.get((monday.isoformat(), item["id"]), 0) for monday in mondays],
        }
        for item in series
    ]
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "plot": {
            "left": MARGIN["left"],
            "right": WIDTH - MARGIN["right"],
            "top": MARGIN["top"],
            "bottom": MARGIN["top"] + plot_h,
        },
        "bars": bars,
        "ticks": ticks,
        "series": series,
        "table": table,
        "totals": totals,
        "label_y": HEIGHT - MARGIN["bottom"] + 18,
    }


def completion(db, commune, weeks=8):
    """Return, per week of COMMUNE's past trips, visits booked, visited and unreachable, and
    the share.
    """
    mondays = week_starts(weeks)
    today = clock.local_today().isoformat()
    found = communes.scoped_rows(
        db,
        commune,
        f"""
        SELECT date(t.date, '-6 days', 'weekday 1') AS week, r.status, count(*) AS n
        FROM trips t JOIN requests r ON r.trip_id = t.id
        WHERE t.commune_id = :commune_id AND t.date >= :since AND t.date < :today
          AND r.status IN {sql_list(ON_TRIP_STATUSES)}
        GROUP BY week, r.status
        """,
        {"since": mondays[0].isoformat(), "today": today},
    )
    by_week = {}
    for week, status, count in ((row["week"], row["status"], row["n"]) for row in found):
        by_week.setdefault(week, dict.fromkeys(ON_TRIP_STATUSES, 0))[status] = count
    result = []
    total_booked = total_visited = 0
    for monday in mondays:
        item = by_week.get(monday.isoformat(), dict.fromkeys(ON_TRIP_STATUSES, 0))
        booked = sum(item.values())
        total_booked += booked
        total_visited += item["visited"]
        result.append(
            {
                "monday": monday,
                "label": f"{monday:%d/%m}",
                "booked": booked,
                "visited": item["visited"],
                "unreachable": item["unreachable"],
                "open": item["scheduled"],
                "share": round(100 * item["visited"] / booked) if booked else None,
            }
        )
    return {
        "weeks": result,
        "booked": total_booked,
        "visited": total_visited,
        "share": round(100 * total_visited / total_booked) if total_booked else None,
    }


# Answer intents of inbound SMS that were never read for a meaning (not the resident's words).
NOT_READ = ("bad_sender", "rate_limited", "empty")


def handover_rate(db, weeks=8):
    """Per week: inbound SMS read, and the share handed to staff as not understood.

    A handover is an answer of intent "unknown" (sms.understood.handover); a question asked
    with HOI is the resident's own choice and is not one.
    """
    mondays = week_starts(weeks)
    since = clock.iso(clock.at_local(mondays[0], "00:00"))
    found = db.execute(
        f"""
        SELECT date(created_at, :offset, '-6 days', 'weekday 1') AS week, count(*),
               sum(intent = 'unknown')
        FROM messages
        WHERE commune_id = :commune AND direction = 'in' AND created_at >= :since
          AND intent IS NOT NULL AND intent NOT IN {sql_list(NOT_READ)}
        GROUP BY week
        """,
        {"offset": _offset_modifier(), "since": since, "commune": communes.current_id()},
    ).fetchall()
    by_week = {week: (read, handed or 0) for week, read, handed in found}
    result = []
    for monday in mondays:
        read, handed = by_week.get(monday.isoformat(), (0, 0))
        share = round(100 * handed / read) if read else None
        result.append({"label": f"{monday:%d/%m}", "read": read, "handed": handed, "share": share})
    return result
