"""Helpers for walking an officer's case end to end: the resident texts, the officer taps.

The resident's SMS goes in through the simulator's API (the signed Twilio webhook, as a
phone's would); what the resident receives is read from the outbox, where every outbound
SMS waits for the sender. Taps are counted by the test, one per click or choice.
"""

import datetime as dt
import json
from pathlib import Path

from app.infra import clock
from app.language.texts import fits_one_sms, is_gsm7
from db import connect
from tests.browser.support import script

AXE = Path(__file__).parent / "vendor" / "axe-4.14.1.min.js"
RUN_AXE = script("run_axe.js")
OPEN_DETAILS = "document.querySelectorAll('details').forEach((d) => { d.open = true; })"


def resident_texts(page, base_url, phone, body):
    """Send BODY from PHONE through the simulator (a signed-in officer's tool); return replies."""
    page.goto(base_url + "/simulator")
    token = page.locator('meta[name="csrf-token"]').get_attribute("content")
    response = page.request.post(
        base_url + "/simulator/api/sms",
        data=json.dumps({"phone": phone, "body": body}),
        headers={"Content-Type": "application/json", "X-CSRFToken": token},
    )
    assert response.ok, response.text()
    return response.json()["replies"]


def received(live_server, e164):
    """Every SMS queued for the resident at E164, oldest first (bodies)."""
    database = connect(live_server.db_path)
    try:
        return [
            row[0]
            for row in database.execute(
                "SELECT body FROM outbox WHERE phone = ? ORDER BY id", [e164]
            ).fetchall()
        ]
    finally:
        database.conn.close()


def assert_fit_for_elderly_phones(body):
    """One unaccented GSM-7 segment, no link, nobody asked to start again."""
    assert is_gsm7(body) and fits_one_sms(body), body
    assert "http" not in body and "www" not in body, body


def query(live_server, sql, params=()):
    """Run SQL on the live server's database; return the rows as tuples."""
    database = connect(live_server.db_path)
    try:
        with database.conn:
            return database.execute(sql, params).fetchall()
    finally:
        database.conn.close()


def trip_day_comes(live_server, request_id):
    """Move the request's trip to have started an hour ago today, as on the trip's morning."""
    with live_server.app.app_context():
        now = clock.now()
        today = clock.local_today().isoformat()
    start = clock.iso(now - dt.timedelta(hours=1))
    query(
        live_server,
        "UPDATE trips SET date = ?, starts_at = ?, ends_at = ? WHERE id ="
        " (SELECT trip_id FROM requests WHERE id = ?)",
        [today, start, clock.iso(now + dt.timedelta(hours=3)), request_id],
    )
    query(
        live_server, "UPDATE requests SET expected_datetime = ? WHERE id = ?", [start, request_id]
    )


def axe_violations(page):
    """Every axe-core violation on the page, any impact, with its folded parts opened."""
    page.evaluate(OPEN_DETAILS)
    page.evaluate(AXE.read_text())
    return page.evaluate(RUN_AXE)


def look(page, artifacts, name, size):
    """Save a full-page screenshot of the page for people to look at; return axe's findings."""
    folder = artifacts / "loop"
    folder.mkdir(exist_ok=True)
    found = axe_violations(page)
    page.screenshot(path=str(folder / f"{name}-{size}.png"), full_page=True)
    return [f"{name}: {line}" for line in found]


def fill_first_trip(live_server, hamlet_name, fillers=("+84988000101",)):
    """Make the next trip to HAMLET_NAME full, its last places taken by ordinary visits.

    Returns (trip_id, its date). Each filler resident (no priority) books the usual way.
    """
    from app import communes, lifecycle, trips
    from app.request_queue import service_requests
    from app.request_queue.asked import Asked
    from db import transaction

    database = connect(live_server.db_path)
    try:
        commune = communes.first_commune(database)
        with live_server.app.app_context(), transaction(database), communes.bound(commune):
            (hamlet_id,) = database.execute(
                "SELECT id FROM hamlets WHERE name = ?", [hamlet_name]
            ).fetchone()
            trip = trips.next_trip_for(database, hamlet_id)
            capacity = trips.booked(database, trip["id"]) + len(fillers)
            database["trips"].update(trip["id"], {"capacity": capacity})
            for phone in fillers:
                service_requests.open_request(
                    database,
                    Asked(phone=phone, kind=lifecycle.VISIT, channel="sms", hamlet_id=hamlet_id),
                )
            assert trips.booked(database, trip["id"]) == capacity
        return trip["id"], trip["date"]
    finally:
        database.conn.close()


def trip_of(live_server, ref):
    """The trip id and date a request is booked on, by its reference."""
    (found,) = query(
        live_server,
        "SELECT t.id, t.date FROM requests r LEFT JOIN trips t ON t.id = r.trip_id WHERE r.ref = ?",
        [ref],
    )
    return found
