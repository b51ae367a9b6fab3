"""Daily counters: the figures the province's page reads, kept per commune and local day.

Triggers (migration 0110) keep report_daily in the same transaction as the rows that change
it; rebuild() recomputes it from the raw tables through the same views, and a test holds the
two equal. A month is the sum of its days, so the page reads one small table, not every row.
"""

import datetime as dt

from app.infra import clock
from app.reports import figures, months
from db import rows

KEYS_OF_ROWS = (
    "SELECT commune_id, day, key FROM report_request_keys"
    " UNION ALL SELECT commune_id, day, key FROM report_message_keys"
    " UNION ALL SELECT commune_id, day, key FROM report_call_keys"
)
TENTHS = "waiting.tenths."


def rebuild(db, commune=None):
    """Recompute the counters of COMMUNE (default: every commune) from the raw rows."""
    scope = "" if commune is None else " WHERE commune_id = :commune_id"
    params = {} if commune is None else {"commune_id": commune.id}
    db.execute("DELETE FROM report_daily" + scope, params)
    db.execute(
        "INSERT INTO report_daily (commune_id, day, key, n)"
        f" SELECT commune_id, day, key, count(*) FROM ({KEYS_OF_ROWS}){scope}"
        " GROUP BY commune_id, day, key",
        params,
    )
    found = db.execute("SELECT count(*), coalesce(sum(n), 0) FROM report_daily" + scope, params)
    return tuple(found.fetchone())


def snapshot(db):
    """Every counter that is not zero, as {(commune_id, day, key): n}."""
    found = db.execute("SELECT commune_id, day, key, n FROM report_daily WHERE n != 0")
    return {(commune_id, day, key): n for commune_id, day, key, n in found}


def month_days(year, month):
    """The first local day of YEAR-MONTH and of the month after, as counters name days."""
    return dt.date(year, month, 1).isoformat(), dt.date(
        *months.following(year, month), 1
    ).isoformat()


def month_counts(db, year, month):
    """{commune_id: {key: n}} summed over the local days of YEAR-MONTH."""
    first, after = month_days(year, month)
    found = db.execute(
        "SELECT commune_id, key, sum(n) FROM report_daily WHERE day >= :first AND day < :after"
        " GROUP BY commune_id, key",
        {"first": first, "after": after},
    )
    counts = {}
    for commune_id, key, n in found:
        counts.setdefault(commune_id, {})[key] = n
    return counts


def _median_of_tenths(counts):
    """The median wait in days from the counts of waits rounded to tenths of a day."""
    waits = sorted(
        (int(key[len(TENTHS) :]), n) for key, n in counts.items() if key.startswith(TENTHS)
    )
    flat = [tenths for tenths, n in waits for _ in range(n)]
    middle = months.median(flat)
    return None if middle is None else round(middle / 10, 1)


def province_figures(counts):
    """The province page's figures of one commune from its month's COUNTS."""
    get = counts.get
    requested = get("visits.requested", 0)
    not_cancelled = requested - get("visits.cancelled", 0)
    within = get("waiting.within_7_days", 0)
    return {
        "contacts.total": sum(n for key, n in counts.items() if key.startswith("contacts.")),
        "visits.requested": requested,
        "visits.visited": get("visits.visited", 0),
        "waiting.median_days": _median_of_tenths(counts),
        "waiting.share_within_7_days": round(100 * within / not_cancelled)
        if not_cancelled
        else None,
        "questions.count": get("questions.count", 0),
        "delivery.sms_failed": get("delivery.sms_failed", 0),
    }


def late_questions(db, commune_list, year, month):
    """{commune_id: questions of the month settled, or still open, past 2 working days}."""
    late = {}
    by_zone = {}
    for commune in commune_list:
        by_zone.setdefault(commune.timezone, []).append(commune)
    now = clock.now()
    for members in by_zone.values():
        zone = members[0].zone
        start, end = months.bounds(zone, year, month)
        ids = ", ".join(str(int(commune.id)) for commune in members)
        found = rows(
            db,
            "SELECT r.commune_id, r.requested_at, (SELECT min(e.at) FROM request_events e"
            " WHERE e.request_id = r.id AND e.to_status IN ('answered', 'closed')) AS settled_at"
            f" FROM requests r WHERE r.kind = 'question' AND r.commune_id IN ({ids})"
            " AND r.requested_at >= :start AND r.requested_at < :end",
            {"start": start, "end": end},
        )
        for row in found:
            if figures.settled_late(row["requested_at"], row["settled_at"], zone, now):
                late[row["commune_id"]] = late.get(row["commune_id"], 0) + 1
    return late
