"""The figures of one commune's month, read from the raw tables (requests, events, messages).

Every figure is counted in the commune's local time: a month runs from local midnight on
the 1st to local midnight on the 1st of the next. Visits and questions are counted by the
month they were asked in (a cohort), whatever happened to them later.
"""

from app import communes
from app.infra import clock
from app.lifecycle import SMS_FAILED, sql_list
from app.reports import months

CHANNELS = ("sms", "voice", "staff", "api")
TOP_PROCEDURES = 5
WORKING_DAYS_TO_ANSWER = 2


def _between(db, commune, sql, start, end):
    return communes.scoped_rows(db, commune, sql, {"start": start, "end": end})


def contacts(db, commune, start, end):
    """Requests received by channel, and the distinct residents who sent them."""
    found = _between(
        db,
        commune,
        "SELECT channel, count(*) AS n FROM requests WHERE commune_id = :commune_id"
        " AND requested_at >= :start AND requested_at < :end GROUP BY channel",
        start,
        end,
    )
    by_channel = {row["channel"]: row["n"] for row in found}
    residents = _between(
        db,
        commune,
        "SELECT count(DISTINCT resident_id) AS n FROM requests WHERE commune_id = :commune_id"
        " AND requested_at >= :start AND requested_at < :end",
        start,
        end,
    )[0]["n"]
    result = {f"contacts.{channel}": by_channel.get(channel, 0) for channel in CHANNELS}
    result["contacts.total"] = sum(by_channel.values())
    result["contacts.residents"] = residents
    return result


def visits(db, commune, start, end, year):
    """Home visits asked for in the month: what became of them, the wait, and who was seen."""
    # Tuples, not dicts: the province's page reads a month of visits for every commune.
    found = db.conn.execute(
        """
        SELECT status, resident_id, wait_days, CAST(round(wait_days * 10) AS INTEGER),
          round(wait_days, 6) <= 7, age_75_plus, birth_year, lives_alone, limited_mobility
        FROM (
        SELECT r.status, r.resident_id,
          -- Rows older than the event trail have no 'visited' event: their last change stands in.
          julianday(coalesce(
            (SELECT min(e.at) FROM request_events e
              WHERE e.request_id = r.id AND e.to_status = 'visited'),
            r.closed_at, r.updated_at)) - julianday(r.requested_at) AS wait_days,
          p.age_75_plus, p.birth_year, p.lives_alone, p.limited_mobility
        FROM requests r LEFT JOIN residents p ON p.id = r.resident_id
        WHERE r.commune_id = :commune_id AND r.kind = 'visit'
          AND r.requested_at >= :start AND r.requested_at < :end
        )
        """,
        {"commune_id": commune.id, "start": start, "end": end},
    ).fetchall()
    status = {"visited": 0, "unreachable": 0, "cancelled": 0}
    waits, tenths, within = [], [], 0
    old, alone, immobile = set(), set(), set()
    for row in found:
        state, resident_id, wait, wait_tenths, in_a_week = row[:5]
        age_75_plus, birth_year, lives_alone, limited = row[5:]
        if state in status:
            status[state] += 1
        if state != "visited":
            continue
        if wait is not None:
            # julianday is a float: rounding keeps a wait of exactly 7 days at 7.0. The median
            # is taken of tenths of a day, as the daily counters hold them (rounded in SQL).
            waits.append(round(wait, 6))
            tenths.append(wait_tenths)
            within += in_a_week
        if age_75_plus or (birth_year and birth_year <= year - 75):
            old.add(resident_id)
        if lives_alone:
            alone.add(resident_id)
        if limited:
            immobile.add(resident_id)
    requested = len(found)
    not_cancelled = requested - status["cancelled"]
    median, p90 = months.median(tenths), months.percentile(waits, 0.9)
    median = None if median is None else median / 10
    return {
        "visits.requested": requested,
        "visits.visited": status["visited"],
        "visits.not_at_home": status["unreachable"],
        "visits.cancelled": status["cancelled"],
        "visits.open": requested - sum(status.values()),
        "waiting.median_days": None if median is None else round(median, 1),
        "waiting.p90_days": None if p90 is None else round(p90, 1),
        "waiting.within_7_days": within,
        "waiting.share_within_7_days": round(100 * within / not_cancelled)
        if not_cancelled
        else None,
        "people.age_75_plus": len(old),
        "people.lives_alone": len(alone),
        "people.limited_mobility": len(immobile),
    }


def settled_late(asked_at, settled_at, zone, now):
    """Tell whether a question asked at ASKED_AT was settled (or is still open) past its due."""
    due = months.add_working_days(clock.parse(asked_at), WORKING_DAYS_TO_ANSWER, zone)
    return (clock.parse(settled_at) if settled_at else now) > due


def questions(db, commune, start, end):
    """Questions left for a person: how many, how fast the first answer came, how many waited."""
    found = _between(
        db,
        commune,
        """
        SELECT r.requested_at,
          (SELECT min(e.at) FROM request_events e WHERE e.request_id = r.id
            AND e.actor_type = 'staff' AND e.to_status = 'answered') AS answered_at,
          (SELECT min(e.at) FROM request_events e WHERE e.request_id = r.id
            AND e.to_status IN ('answered', 'closed')) AS settled_at
        FROM requests r
        WHERE r.commune_id = :commune_id AND r.kind = 'question'
          AND r.requested_at >= :start AND r.requested_at < :end
        """,
        start,
        end,
    )
    now = clock.now()
    hours, late = [], 0
    for row in found:
        asked = clock.parse(row["requested_at"])
        if row["answered_at"]:
            hours.append((clock.parse(row["answered_at"]) - asked).total_seconds() / 3600)
        if settled_late(row["requested_at"], row["settled_at"], commune.zone, now):
            late += 1
    median = months.median(hours)
    return {
        "questions.count": len(found),
        "questions.answered": len(hours),
        "questions.median_hours_to_answer": None if median is None else round(median, 1),
        "questions.open_over_2_working_days": late,
    }


def procedures(db, commune, start, end):
    """The procedures asked about most, and the guidance answers sent by SMS."""
    found = _between(
        db,
        commune,
        """
        SELECT r.service_code AS code, coalesce(p.name, r.service_code) AS name, count(*) AS n
        FROM requests r LEFT JOIN procedures p ON p.code = r.service_code
        WHERE r.commune_id = :commune_id AND r.service_code NOT IN ('VISIT', 'QUESTION')
          AND r.requested_at >= :start AND r.requested_at < :end
        GROUP BY r.service_code ORDER BY n DESC, r.service_code
        """,
        start,
        end,
    )
    guidance = _between(
        db,
        commune,
        "SELECT count(*) AS n FROM messages WHERE commune_id = :commune_id AND direction = 'in'"
        " AND intent = 'guidance' AND created_at >= :start AND created_at < :end",
        start,
        end,
    )[0]["n"]
    return {
        "procedures.top": [(row["code"], row["name"], row["n"]) for row in found[:TOP_PROCEDURES]],
        "procedures.guidance_answers": guidance,
    }


def delivery(db, commune, start, end):
    """SMS sent and failed, calls received and voice messages left."""
    sms = _between(
        db,
        commune,
        f"""
        SELECT coalesce(sum(status NOT IN {sql_list(SMS_FAILED)}), 0) AS sent,
               coalesce(sum(status IN {sql_list(SMS_FAILED)}), 0) AS failed
        FROM messages WHERE commune_id = :commune_id AND direction = 'out'
          AND provider != 'voice' AND created_at >= :start AND created_at < :end
        """,
        start,
        end,
    )[0]
    calls = _between(
        db,
        commune,
        "SELECT count(*) AS n FROM calls WHERE commune_id = :commune_id"
        " AND direction = 'inbound' AND started_at >= :start AND started_at < :end",
        start,
        end,
    )[0]["n"]
    voicemails = _between(
        db,
        commune,
        "SELECT count(*) AS n FROM requests WHERE commune_id = :commune_id"
        " AND source_key LIKE 'voice:%:message'"
        " AND requested_at >= :start AND requested_at < :end",
        start,
        end,
    )[0]["n"]
    return {
        "delivery.sms_sent": sms["sent"],
        "delivery.sms_failed": sms["failed"],
        "delivery.calls": calls,
        "delivery.voicemails": voicemails,
    }


def month_figures(db, commune, year, month):
    """Every figure of COMMUNE for YEAR-MONTH, as a flat dict keyed 'section.figure'."""
    start, end = months.bounds(commune.zone, year, month)
    result = {}
    result.update(contacts(db, commune, start, end))
    result.update(visits(db, commune, start, end, year))
    result.update(questions(db, commune, start, end))
    result.update(procedures(db, commune, start, end))
    result.update(delivery(db, commune, start, end))
    return result
