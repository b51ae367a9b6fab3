"""The province's view: one row per commune for a month, sortable, ranked only when it counts.

A commune with fewer than MIN_TO_RANK requests in the month is shown but never ranked: one
quick visit out of two requests must not top a list against a commune of a hundred (the lesson
of FixMyStreet's "most responsive council"). Only counts, medians and shares: no resident.
"""

from app import communes
from app.reports import figures, months

MIN_TO_RANK = 10
BAR_WIDTH = 120
# (key, Vietnamese, English, higher is better)
COLUMNS = (
    ("contacts.total", "Yêu cầu", "Requests", None),
    ("visits.requested", "Thăm được yêu cầu", "Visits asked", None),
    ("visits.visited", "Đã thăm", "Visited", True),
    ("waiting.median_days", "Chờ trung vị (ngày)", "Median wait (days)", False),
    ("waiting.share_within_7_days", "Trong 7 ngày (%)", "Within 7 days (%)", True),
    ("questions.count", "Câu hỏi", "Questions", None),
    ("questions.open_over_2_working_days", "Chờ > 2 ngày LV", "Open > 2 working days", False),
    ("delivery.sms_failed", "SMS lỗi", "SMS failed", False),
)
SORTABLE = {key for key, *_rest in COLUMNS} | {"name"}


def overview(db, month, sort="waiting.share_within_7_days"):
    """Rows of every commune for MONTH ('YYYY-MM'), sorted by SORT; ranked rows first."""
    year, number = months.parse(month)
    sort = sort if sort in SORTABLE else "waiting.share_within_7_days"
    found = []
    for commune in communes.every(db):
        values = figures.month_figures(db, commune, year, number)
        values.pop("procedures.top")
        found.append(
            {
                "code": commune.code,
                "name": commune.name,
                "values": values,
                "ranked": values["contacts.total"] >= MIN_TO_RANK,
            }
        )
    better = {key: up for key, _vi, _en, up in COLUMNS}.get(sort)
    ranked = [row for row in found if row["ranked"]]
    unranked = [row for row in found if not row["ranked"]]
    if sort == "name":
        ranked.sort(key=lambda row: row["name"])
    else:
        # Missing figures go last; "better" decides the direction (more visits, shorter waits).
        ranked.sort(
            key=lambda row: (
                row["values"][sort] is None,
                -(row["values"][sort] or 0) if better is not False else (row["values"][sort] or 0),
                row["name"],
            )
        )
    for rank, row in enumerate(ranked, 1):
        row["rank"] = rank
    unranked.sort(key=lambda row: row["name"])
    rows = ranked + unranked
    _bars(rows)
    return {"month": months.label(year, number), "sort": sort, "rows": rows}


def _bars(rows):
    """Widths of the small bars: requests against the busiest commune, and the 7-day share."""
    busiest = max((row["values"]["contacts.total"] for row in rows), default=0) or 1
    for row in rows:
        share = row["values"]["waiting.share_within_7_days"]
        row["bar_requests"] = round(BAR_WIDTH * row["values"]["contacts.total"] / busiest, 1)
        row["bar_share"] = None if share is None else round(BAR_WIDTH * share / 100, 1)
