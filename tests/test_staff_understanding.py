"""The console side of understanding: pleas first, marked read, corrections carried out."""

from app import lifecycle, residents
from app.request_queue import corrections

PHONE = "+84912000111"


def _page(client, path):
    response = client.get(path)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _requests(db, phone=PHONE):
    resident = residents.by_phone(db, phone)
    return list(db["requests"].rows_where("resident_id = ?", [resident["id"]], order_by="id"))


def test_emergencies_head_the_needs_attention_list(text_in, staff_client, db):
    text_in("toi o mot minh, buon qua", phone="+84912000333")
    text_in("cap cuu, ba toi te nga bat tinh", phone=PHONE)
    page = _page(staff_client, "/")
    box = page[page.index('class="box urgent"') :]
    (emergency,) = _requests(db)
    assert emergency["ref"] in box.split("</div>")[0]
    first_item = box.split("<li>")[1]
    assert emergency["ref"] in first_item  # the emergency before the plea


def test_an_officer_marks_a_plea_as_read_and_it_stays_on_top(text_in, staff_client, db):
    text_in("toi o mot minh, di khong duoc, giup toi voi")
    (request,) = _requests(db)
    assert request["attention"] == "distress"
    clear = f"/requests/{request['id']}/attention/clear"
    assert clear in _page(staff_client, f"/requests/{request['id']}")
    response = staff_client.post(clear)
    assert response.status_code == 302
    # Read is not done: the plea stays on top, saying who read it, until it is closed.
    assert lifecycle.get(db, request["id"])["attention"] == "distress"
    assert 'class="box urgent"' in _page(staff_client, "/")


def test_a_correction_carries_out_the_visit_and_is_stored(text_in, staff_client, db):
    text_in("con ba sau o xom duoi nho hoi chuyen nay chut")
    (handed_over,) = _requests(db)
    message = list(db["messages"].rows_where("direction = 'in'", order_by="id"))[-1]

    response = staff_client.post(
        f"/messages/{message['id']}/meaning",
        data={"intent": "visit", "hamlet": "PHULOI", "procedure": "CANCUOC"},
    )

    assert response.status_code == 302
    question, visit = _requests(db)
    assert question["id"] == handed_over["id"] and question["status"] == "closed"
    assert (visit["kind"], visit["service_code"]) == ("visit", "CANCUOC")
    hamlet = next(iter(db["hamlets"].rows_where("code = 'PHULOI'")))
    assert visit["hamlet_id"] == hamlet["id"]
    (sms,) = db["outbox"].rows_where("dedupe_key LIKE 'correction:%'")
    assert visit["ref"] in sms["body"]
    assert corrections.labelled(db) == [
        {
            "intent": "visit",
            "hamlet": "PHULOI",
            "procedure": "CANCUOC",
            "urgency": None,
            "text": "con ba sau o xom duoi nho hoi chuyen nay chut",
        }
    ]


def test_a_correction_to_a_meaning_not_on_the_list_is_refused(text_in, staff_client, db):
    text_in("con ba sau o xom duoi nho hoi chuyen nay chut")
    message = list(db["messages"].rows_where("direction = 'in'", order_by="id"))[-1]
    response = staff_client.post(f"/messages/{message['id']}/meaning", data={"intent": "hack"})
    assert response.status_code == 302
    assert corrections.labelled(db) == []
    assert staff_client.post("/messages/99999/meaning", data={"intent": "visit"}).status_code == 404


def test_the_message_log_lists_senders_that_cannot_be_answered(text_in, staff_client):
    text_in("Khuyen mai tang 50% data", phone="Viettel")
    page = _page(staff_client, "/messages")
    section = page[page.index('id="unanswerable-h"') :]
    assert "Viettel" in section and "Khuyen mai" in section


def _last_inbound(db):
    return list(db["messages"].rows_where("direction = 'in'", order_by="id"))[-1]


def test_a_second_correction_shows_the_first_asks_then_runs_as_the_officers_own(
    text_in, staff_client, db
):
    text_in("con ba sau o xom duoi nho hoi chuyen nay chut")
    message = _last_inbound(db)
    meaning = f"/messages/{message['id']}/meaning"
    staff_client.post(meaning, data={"intent": "visit", "hamlet": "PHULOI"})
    _question, visit = _requests(db)
    assert visit["status"] == "scheduled"

    asked = staff_client.post(meaning, data={"intent": "cancel"})
    assert asked.status_code == 200
    page = asked.get_data(as_text=True)
    assert visit["ref"] in page and "lan" in page and 'name="confirmed"' in page
    assert lifecycle.get(db, visit["id"])["status"] == "scheduled"

    done = staff_client.post(meaning, data={"intent": "cancel", "confirmed": "1"})
    assert done.status_code == 302
    assert lifecycle.get(db, visit["id"])["status"] == "cancelled"
    first, second = db["nlu_corrections"].rows_where(
        "message_id = ?", [message["id"]], order_by="id"
    )
    assert (first["intent"], second["intent"]) == ("visit", "cancel")
    assert (first["request_id"], second["request_id"]) == (visit["id"], visit["id"])
    # The cancel's SMS has its own key, so it is queued, not taken for the visit's reply.
    keys = [row["dedupe_key"] for row in db["outbox"].rows_where("dedupe_key LIKE 'correction:%'")]
    assert keys == [f"correction:{first['id']}:0", f"correction:{second['id']}:0"]
    cancelled = next(
        db["request_events"].rows_where("request_id = ? AND action = 'cancelled'", [visit["id"]])
    )
    assert (cancelled["actor_type"], cancelled["actor"], cancelled["channel"]) == (
        "staff",
        "lan",
        "staff",
    )
    corrected = list(
        db["request_events"].rows_where("request_id = ? AND action = 'corrected'", [visit["id"]])
    )
    assert [event["actor"] for event in corrected] == ["lan", "lan"]
    # The classifier learns the newest reading only.
    assert [row["intent"] for row in corrections.labelled(db)] == ["cancel"]


def test_an_opt_out_by_correction_leaves_an_event_naming_the_officer(text_in, staff_client, db):
    text_in("con ba sau o xom duoi nho hoi chuyen nay chut")
    message = _last_inbound(db)
    (handed_over,) = _requests(db)
    response = staff_client.post(f"/messages/{message['id']}/meaning", data={"intent": "opt_out"})
    assert response.status_code == 302
    assert residents.by_phone(db, PHONE)["opted_out_at"]
    (event,) = db["request_events"].rows_where(
        "request_id = ? AND action = 'corrected'", [handed_over["id"]]
    )
    assert (event["actor_type"], event["actor"]) == ("staff", "lan")
    assert "opt_out" in event["note"]
