"""Field results and "visited": once per key, never before the trip's day, kept when stale."""

import datetime as dt

import pytest

from app import lifecycle, trips
from app.infra import clock
from app.request_queue import field, service_requests
from db import transaction
from tests.test_staff_pages import open_visit

# Whether a visit may be marked depends on today's date and the trips planned from it.
pytestmark = pytest.mark.usefixtures("monday_morning")


def trip_today(db):
    """Add a trip under way today serving Phú Hòa A; return it."""
    now = clock.now()
    trip_id = (
        db["trips"]
        .insert(
            {
                "date": clock.local_today().isoformat(),
                "session": "morning",
                "starts_at": clock.iso(now - dt.timedelta(hours=1)),
                "ends_at": clock.iso(now + dt.timedelta(hours=2)),
                "capacity": 8,
                "status": "planned",
                "is_extra": 1,
                "created_at": clock.iso(now),
            }
        )
        .last_pk
    )
    hamlet = db.execute("SELECT id FROM hamlets WHERE code = 'PHUHOAA'").fetchone()[0]
    db["trip_hamlets"].insert({"trip_id": trip_id, "hamlet_id": hamlet})
    return trips.get(db, trip_id)


def visit_on(db, trip, phone="+84912345678"):
    request = open_visit(db, phone=phone)
    lifecycle.transition(
        db, request["id"], "scheduled", actor_type="staff", actor="lan", trip_id=trip["id"]
    )
    return lifecycle.get(db, request["id"])


def post_result(client, trip, request_id, key, result="visited", note=""):
    token = client.get(f"/trips/{trip['id']}/field/token").get_json()["csrf_token"]
    return client.post(
        f"/trips/{trip['id']}/field/results",
        json={"key": key, "request_id": request_id, "result": result, "note": note},
        headers={"X-CSRFToken": token},
    )


def test_a_visit_booked_on_a_later_trip_cannot_be_marked_visited(db):
    request = open_visit(db)
    trip = trips.get(db, request["trip_id"])
    assert trip["date"] > clock.local_today().isoformat()
    with pytest.raises(service_requests.VisitBeforeTrip) as refused:
        service_requests.mark_visited(db, request["id"], actor="lan")
    assert trip["date"][8:10] in str(refused.value)
    assert lifecycle.get(db, request["id"])["status"] == "scheduled"
    assert not db.execute("SELECT 1 FROM outbox WHERE kind = 'visited'").fetchone()


def test_the_request_page_refuses_visited_before_the_trip_with_a_clear_message(staff_client, db):
    request = open_visit(db)
    page = staff_client.get(f"/requests/{request['id']}").get_data(as_text=True)
    assert "Đã đến nhà" not in page
    assert "Ghi kết quả lượt đến nhà từ" in page
    refused = staff_client.post(f"/requests/{request['id']}/visited", data={"confirmed": "1"})
    assert refused.status_code == 400
    assert "Chỉ ghi &#34;đã đến nhà&#34; từ ngày đó" in refused.get_data(as_text=True)
    assert lifecycle.get(db, request["id"])["status"] == "scheduled"


def test_marking_visited_asks_for_a_confirmation_first(staff_client, db):
    trip = trip_today(db)
    request = visit_on(db, trip)
    asked = staff_client.post(f"/requests/{request['id']}/visited", data={"note": "Đã cài"})
    assert asked.status_code == 200
    assert "Xác nhận lượt đến nhà" in asked.get_data(as_text=True)
    assert lifecycle.get(db, request["id"])["status"] == "scheduled"
    staff_client.post(
        f"/requests/{request['id']}/visited", data={"note": "Đã cài", "confirmed": "1"}
    )
    assert lifecycle.get(db, request["id"])["status"] == "visited"


def test_the_trip_sheet_saves_results_only_when_confirmed(staff_client, db):
    trip = trip_today(db)
    request = visit_on(db, trip)
    form = {f"result-{request['id']}": "visited"}
    staff_client.post(f"/trips/{trip['id']}/results", data=form)
    assert lifecycle.get(db, request["id"])["status"] == "scheduled"
    staff_client.post(f"/trips/{trip['id']}/results", data={**form, "confirm": "1"})
    assert lifecycle.get(db, request["id"])["status"] == "visited"


def test_a_field_result_sent_twice_is_applied_once(staff_client, db):
    trip = trip_today(db)
    request = visit_on(db, trip)
    first = post_result(staff_client, trip, request["id"], "key-0001-abcd")
    again = post_result(staff_client, trip, request["id"], "key-0001-abcd")
    assert first.status_code == again.status_code == 200
    assert first.get_json()["outcome"] == again.get_json()["outcome"] == "applied"
    assert again.get_json()["repeated"] is True
    assert db.execute("SELECT count(*) FROM field_results").fetchone()[0] == 1
    visited_events = db.execute(
        "SELECT count(*) FROM request_events WHERE request_id = ? AND action = 'visited'",
        [request["id"]],
    ).fetchone()[0]
    assert visited_events == 1
    thanks = db.execute("SELECT count(*) FROM outbox WHERE kind = 'visited'").fetchone()[0]
    assert thanks == 1


def test_a_field_result_for_a_visit_the_office_moved_is_kept_as_a_note_both_officers_see(
    staff_client, admin_client, db
):
    trip = trip_today(db)
    request = visit_on(db, trip)
    later = trips.upcoming_for_hamlet(db, request["hamlet_id"], limit=1)[0]
    with transaction(db):
        trips.move_to_trip(db, request["id"], later["id"], actor="minh")
    answer = post_result(staff_client, trip, request["id"], "key-0002-abcd", note="Bà đi vắng")
    body = answer.get_json()
    assert body["outcome"] == "kept_as_note"
    assert "văn phòng đã dời lượt này sang chuyến khác" in body["message"]
    assert lifecycle.get(db, request["id"])["status"] == "scheduled"
    assert lifecycle.get(db, request["id"])["trip_id"] == later["id"]
    # The office sees it on the request and at the top of the queue.
    page = admin_client.get(f"/requests/{request['id']}").get_data(as_text=True)
    assert "Bà đi vắng" in page and "Đã giữ làm ghi chú" in page
    queue_page = admin_client.get("/").get_data(as_text=True)
    assert "Kết quả đi ấp được giữ làm ghi chú" in queue_page
    assert request["ref"] in queue_page


def test_a_field_result_that_cannot_be_read_is_refused_with_400(staff_client, db):
    trip = trip_today(db)
    request = visit_on(db, trip)
    assert post_result(staff_client, trip, request["id"], "x", "visited").status_code == 400
    assert (
        post_result(staff_client, trip, request["id"], "key-0003-abcd", "sing").status_code == 400
    )
    assert post_result(staff_client, trip, 99999, "key-0004-abcd").status_code == 404
    assert db.execute("SELECT count(*) FROM field_results").fetchone()[0] == 0


def test_field_mode_lists_the_trip_by_hamlet_with_tel_links_landmarks_and_reasons(staff_client, db):
    trip = trip_today(db)
    request = visit_on(db, trip)
    db["residents"].update(
        request["resident_id"],
        {"landmark": "hẻm cạnh tiệm tạp hóa", "age_75_plus": 1, "lives_alone": 1},
    )
    page = staff_client.get(f"/trips/{trip['id']}/field").get_data(as_text=True)
    assert 'href="tel:+84912345678"' in page
    assert "hẻm cạnh tiệm tạp hóa" in page
    assert "Ấp Phú Hòa A" in page
    assert ">75+<" in page and ">một mình<" in page
    for button in ("Đã đến", "Không gặp ở nhà", "Ghi chú"):
        assert f">{button}</button>" in page
    assert 'rel="manifest"' in page
    sheet = staff_client.get(f"/trips/{trip['id']}").get_data(as_text=True)
    assert "hẻm cạnh tiệm tạp hóa" in sheet and ">một mình<" in sheet and "★" not in sheet
    assert field.sheet(db, trip["id"])[0]["landmark"] == "hẻm cạnh tiệm tạp hóa"


def test_the_service_worker_loads_without_signing_in_and_stays_fresh(client):
    response = client.get("/trips/field-sw.js")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert response.headers["Cache-Control"] == "no-cache"


def test_a_phone_may_keep_a_trip_until_the_midnight_after_its_day(staff_client, db):
    trip = trip_today(db)
    response = staff_client.get(f"/trips/{trip['id']}/field")
    tomorrow = clock.local_today() + dt.timedelta(days=1)
    until = clock.to_local(response.headers["X-Field-Keep-Until"])
    assert (until.date(), until.hour, until.minute) == (tomorrow, 0, 0)


def test_signing_out_tells_the_browser_to_clear_the_sites_cache_and_storage(staff_client):
    response = staff_client.post("/logout")
    assert response.headers["Clear-Site-Data"] == '"cache", "storage"'


def test_not_at_home_before_the_trip_day_is_refused_on_the_request_page(staff_client, db):
    request = open_visit(db)
    assert trips.get(db, request["trip_id"])["date"] > clock.local_today().isoformat()
    refused = staff_client.post(f"/requests/{request['id']}/unreachable", data={"note": "x"})
    assert refused.status_code == 400
    assert "Chỉ ghi &#34;không gặp ở nhà&#34; từ ngày đó" in refused.get_data(as_text=True)
    assert lifecycle.get(db, request["id"])["status"] == "scheduled"
    assert not db.execute("SELECT 1 FROM outbox WHERE kind = 'unreachable'").fetchone()


def test_not_at_home_from_the_field_before_the_trip_day_is_kept_as_a_note(staff_client, db):
    request = open_visit(db)
    trip = trips.get(db, request["trip_id"])
    answer = post_result(staff_client, trip, request["id"], "key-0005-abcd", "unreachable")
    assert answer.status_code == 200
    assert (answer.get_json()["outcome"], answer.get_json()["reason"]) == ("kept_as_note", "early")
    assert lifecycle.get(db, request["id"])["status"] == "scheduled"
    assert not db.execute("SELECT 1 FROM outbox WHERE kind = 'unreachable'").fetchone()
    with pytest.raises(service_requests.AbsenceBeforeTrip):
        service_requests.mark_unreachable(db, request["id"], actor="lan")


@pytest.mark.parametrize("key", ["key-0006-abcd\n", "key-0006-abcd\r\n", " key-0006-abcd"])
def test_a_field_key_with_anything_around_it_is_refused(staff_client, db, key):
    trip = trip_today(db)
    request = visit_on(db, trip)
    assert post_result(staff_client, trip, request["id"], key).status_code == 400
    assert db.execute("SELECT count(*) FROM field_results").fetchone()[0] == 0
    assert lifecycle.get(db, request["id"])["status"] == "scheduled"


def test_a_key_reused_for_another_visit_stores_the_new_result(staff_client, db):
    trip = trip_today(db)
    one = visit_on(db, trip)
    two = visit_on(db, trip, phone="+84912000002")
    first = post_result(staff_client, trip, one["id"], "key-0007-abcd", "visited")
    second = post_result(staff_client, trip, two["id"], "key-0007-abcd", "unreachable")
    assert first.status_code == second.status_code == 200
    assert second.get_json()["repeated"] is False
    assert second.get_json()["outcome"] == "applied"
    assert lifecycle.get(db, one["id"])["status"] == "visited"
    assert lifecycle.get(db, two["id"])["status"] == "unreachable"
    stored = db.execute("SELECT request_id, result FROM field_results ORDER BY id").fetchall()
    assert [tuple(row) for row in stored] == [(one["id"], "visited"), (two["id"], "unreachable")]
