"""Open311 paging and date filters over 10,000 requests, with indexed, fixed-cost queries."""

import datetime as dt

import pytest

from app import communes
from app.accounts import apikeys
from app.catalogue import hamlets
from app.infra import clock
from app.infra.database import get_db
from app.request_queue import service_requests
from open311 import georeport

BASE = "/open311/v2"
COUNT = 10_000
# Rows 25 minutes apart, 12 minutes off the step, so no row sits within minutes of the
# 90-day edge of a window measured a few seconds later.
STEP, OFFSET = dt.timedelta(minutes=25), dt.timedelta(minutes=12)
KINDS = [
    ("visit", "VISIT", "new"),
    ("visit", "VISIT", "scheduled"),
    ("visit", "VISIT", "visited"),
    ("question", "QUESTION", "open"),
    ("question", "KHAISINH", "answered"),
]


def ref_for(index):
    """A unique reference code for row INDEX, in the real alphabet."""
    alphabet = service_requests.REF_ALPHABET
    digits = []
    for _ in range(service_requests.REF_LENGTH):
        index, digit = divmod(index, len(alphabet))
        digits.append(alphabet[digit])
    return "".join(digits)


@pytest.fixture
def many(db):
    """10,000 requests over the last ~174 days, inserted directly for speed."""
    now = clock.now()
    hamlet_ids = [row["id"] for row in hamlets.active(db)]
    db["residents"].insert_all(
        {"id": n + 1, "phone": f"+849123{n:05d}", "name": f"Người {n}", "hamlet_id": hamlet_ids[0]}
        for n in range(200)
    )
    rows = []
    for index in range(COUNT):
        kind, code, status = KINDS[index % len(KINDS)]
        stamp = clock.iso(now - OFFSET - index * STEP)
        rows.append(
            {
                "ref": ref_for(index),
                "kind": kind,
                "service_code": code,
                "resident_id": index % 200 + 1,
                "hamlet_id": hamlet_ids[index % len(hamlet_ids)],
                "channel": "sms",
                "status": status,
                "description": f"yêu cầu {index}",
                "requested_at": stamp,
                "updated_at": stamp,
            }
        )
    db["requests"].insert_all(rows, batch_size=1000)
    return now


def expected_refs(db, start, end, where="1", params=()):
    """The refs in [START, END] by the database itself, newest first."""
    return [
        row[0]
        for row in db.execute(
            f"SELECT ref FROM requests WHERE requested_at >= ? AND requested_at <= ? AND {where} "
            "ORDER BY requested_at DESC, id DESC",
            [clock.iso(start), clock.iso(end), *params],
        )
    ]


def walk(client, params):
    """Follow the pages of a search until an empty one; return the refs and page count."""
    refs, page = [], 1
    while True:
        response = client.get(f"{BASE}/requests.json", query_string={**params, "page": page})
        assert response.status_code == 200
        body = response.get_json()
        if not body:
            return refs, page - 1, int(response.headers["X-Total-Count"])
        refs += [item["service_request_id"] for item in body]
        page += 1


def local(moment):
    return clock.to_local(moment).isoformat()


def test_paging_walks_a_window_without_gaps_or_repeats(client, db, many):
    start, end = many - dt.timedelta(days=60), many - dt.timedelta(days=1)
    refs, pages, total = walk(
        client, {"start_date": local(start), "end_date": local(end), "page_size": 500}
    )
    expected = expected_refs(db, start, end)
    assert len(expected) > 3000
    assert refs == expected
    assert total == len(expected)
    assert pages == -(-len(expected) // 500)


def test_the_default_page_is_50_newest_first(client, db, many):
    body = client.get(f"{BASE}/requests.json").get_json()
    assert [item["service_request_id"] for item in body] == [ref_for(i) for i in range(50)]
    second = client.get(f"{BASE}/requests.json?page=2").get_json()
    assert second[0]["service_request_id"] == ref_for(50)


def test_the_default_window_is_the_last_90_days(client, db, many):
    response = client.get(f"{BASE}/requests.json?page_size=500")
    in_window = -(-(dt.timedelta(days=90) - OFFSET) // STEP)
    assert int(response.headers["X-Total-Count"]) == in_window
    assert COUNT > in_window


def test_dates_bound_every_requested_datetime(client, db, many):
    start, end = many - dt.timedelta(days=120), many - dt.timedelta(days=117)
    body = client.get(
        f"{BASE}/requests.json",
        query_string={"start_date": local(start), "end_date": local(end), "page_size": 500},
    ).get_json()
    assert [item["service_request_id"] for item in body] == expected_refs(db, start, end)
    for item in body:
        assert start <= dt.datetime.fromisoformat(item["requested_datetime"]) <= end


def test_a_start_date_alone_covers_the_90_days_after_it(client, db, many):
    start = many - dt.timedelta(days=170)
    response = client.get(
        f"{BASE}/requests.json", query_string={"start_date": local(start), "page_size": 1}
    )
    expected = expected_refs(db, start, start + dt.timedelta(days=90))
    assert int(response.headers["X-Total-Count"]) == len(expected)
    assert response.get_json()[0]["service_request_id"] == expected[0]


def test_a_bare_date_means_local_midnight(client, db, many):
    day = clock.to_local(many - dt.timedelta(days=30)).date()
    response = client.get(
        f"{BASE}/requests.json",
        query_string={"start_date": day.isoformat(), "end_date": day.isoformat(), "page_size": 5},
    )
    midnight = clock.at_local(day, "00:00")
    assert int(response.headers["X-Total-Count"]) == len(expected_refs(db, midnight, midnight))


@pytest.mark.parametrize(
    ("params", "where", "values"),
    [
        ({"status": "closed"}, "status IN ('visited', 'answered')", ()),
        ({"status": "open", "service_code": "VISIT"}, "status IN ('new', 'scheduled')", ()),
        ({"service_code": "KHAISINH,QUESTION"}, "kind = ?", ("question",)),
        ({"status": "open,closed"}, "1", ()),
    ],
)
def test_status_and_service_filters_agree_with_the_database(
    client, db, many, params, where, values
):
    start, end = many - dt.timedelta(days=80), many - dt.timedelta(days=10)
    refs, _pages, total = walk(
        client, {**params, "start_date": local(start), "end_date": local(end), "page_size": 500}
    )
    expected = expected_refs(db, start, end, where, values)
    assert refs == expected
    assert total == len(expected)


def test_a_page_costs_the_same_queries_whatever_its_size(app, client, db, many):
    key = apikeys.create_key(db, communes.first_commune(db), "dashboard")
    statements = []

    @app.before_request
    def trace():
        get_db().conn.set_trace_callback(statements.append)

    # The first use of a key stamps last_used_at; measure the reads after it.
    client.get(f"{BASE}/requests.json", query_string={"page_size": 1, "api_key": key})
    counts = {}
    for size in (5, 500):
        statements.clear()
        body = client.get(
            f"{BASE}/requests.json", query_string={"page_size": size, "api_key": key}
        ).get_json()
        assert len(body) == size
        counts[size] = len([s for s in statements if s.lstrip().upper().startswith("SELECT")])
    assert counts[5] == counts[500]
    assert counts[500] <= 8  # the key, the count and the page, plus sqlite-utils table checks


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"status": "open"},
        {"service_code": "VISIT"},
        {"status": "closed", "service_code": "KHAISINH"},
        {"service_request_id": "AAAAA,CCCCC"},
    ],
)
def test_searches_use_an_index_on_requests(db, many, params):
    query = georeport.parse_query(db, params)
    sql, values = georeport.search_sql(query)
    plan = [row[3] for row in db.execute(f"EXPLAIN QUERY PLAN {sql}", {**values, "commune_id": 1})]
    requests_steps = [step for step in plan if step.split()[1] == "r"]
    assert requests_steps, plan
    assert all("USING" in step for step in requests_steps), plan
    assert all(
        "PRIMARY KEY" in step or "INDEX" in step for step in plan if step.startswith("SEARCH")
    ), plan
