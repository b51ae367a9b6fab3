"""The province's view: one row per commune for a month, sortable, ranked only when it counts.

A commune with fewer than MIN_TO_RANK requests in the month is shown but never ranked: one
quick visit out of two requests must not top a list against a commune of a hundred (the lesson
of FixMyStreet's "most responsive council"). Only counts, medians and shares: no resident.
The figures come from the daily counters (app.reports.counters), so the page reads one
small table instead of every commune's rows.
"""

from app import communes
from app.infra import clock
from app.language.texts import N_
from app.reports import counters, months

MIN_TO_RANK = 10
CHOICES = 24
BAR_WIDTH = 120
# (key, label: English, translated on the page, higher is better)
COLUMNS = (
    ("contacts.total", N_("Requests"), None),
    ("visits.requested", N_("Visits asked"), None),
    ("visits.visited", N_("Visits done"), True),
    ("waiting.median_days", N_("Median wait (days)"), False),
    ("waiting.share_within_7_days", N_("Within 7 days (%%)"), True),
    ("questions.count", N_("Questions"), None),
    ("questions.open_over_2_working_days", N_("Open > 2 working days"), False),
    ("delivery.sms_failed", N_("SMS failed"), False),
)
SORTABLE = {key for key, *_rest in COLUMNS} | {"name"}


def overview(db, month, sort="waiting.share_within_7_days"):
    """Rows of every commune for MONTH ('YYYY-MM'), sorted by SORT; ranked rows first."""
    year, number = months.parse(month)
    sort = sort if sort in SORTABLE else "waiting.share_within_7_days"
    every = communes.every(db)
    counts = counters.month_counts(db, year, number)
    late = counters.late_questions(db, every, year, number)
    found = []
    for commune in every:
        values = counters.province_figures(counts.get(commune.id, {}))
        values["questions.open_over_2_working_days"] = late.get(commune.id, 0)
        found.append(
            {
                "code": commune.code,
                "name": commune.name,
                "values": values,
                "ranked": values["contacts.total"] >= MIN_TO_RANK,
            }
        )
    better = {key: up for key, _label, up in COLUMNS}.get(sort)
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
    # A plain list of months: the browser's month picker would speak its own language.
    choices = months.recent(every[0].zone if every else clock.local_zone(), CHOICES)
    if (year, number) not in choices:
        choices.append((year, number))
    return {
        "month": months.label(year, number),
        "year": year,
        "number": number,
        "sort": sort,
        "rows": rows,
        "choices": [(months.label(*choice), *choice) for choice in choices],
    }


def _bars(rows):
    """Widths of the small bars: requests against the busiest commune, and the 7-day share."""
    busiest = max((row["values"]["contacts.total"] for row in rows), default=0) or 1
    for row in rows:
        share = row["values"]["waiting.share_within_7_days"]
        row["bar_requests"] = round(BAR_WIDTH * row["values"]["contacts.total"] / busiest, 1)
        row["bar_share"] = None if share is None else round(BAR_WIDTH * share / 100, 1)
