"""Open311 GeoReport v2: services, filing requests, reading them back, keys and errors."""

import datetime as dt
import json
import xml.etree.ElementTree as ET

import pytest

from app import communes, lifecycle, residents, trips
from app.accounts import apikeys
from app.catalogue import guidance, hamlets
from app.request_queue import service_requests
from app.request_queue.asked import Asked
from db import transaction
from sms import keywords
from tests.conftest import on_trip_day

BASE = "/open311/v2"
LOCAL_OFFSET = dt.timedelta(hours=7)
NONE = type(None)

# The field list, with the type each field must have.
SERVICE_FIELDS = {
    "service_code": str,
    "service_name": str,
    "description": str,
    "keywords": str,
    "group": str,
    "type": str,
    "metadata": bool,
}
REQUEST_FIELDS = {
    "service_request_id": str,
    "status": str,
    "status_notes": str,
    "service_code": str,
    "service_name": str,
    "requested_datetime": str,
    "updated_datetime": str,
    "expected_datetime": (str, NONE),
    "address": (str, NONE),
    "agency_responsible": str,
    "service_notice": str,
    "description": (str, NONE),
}
PERSONAL_FIELDS = {"phone": str, "first_name": (str, NONE), "last_name": (str, NONE)}
POST_FIELDS = {
    "service_request_id": str,
    "service_notice": str,
    "expected_datetime": (str, NONE),
}
ATTRIBUTE_FIELDS = {
    "variable": bool,
    "code": str,
    "datatype": str,
    "required": bool,
    "datatype_description": str,
    "order": int,
    "description": str,
    "values": list,
}


def assert_fields(item, fields):
    """Every field is present with the right type."""
    for name, kind in fields.items():
        assert name in item, name
        assert isinstance(item[name], kind), (name, item[name])


def assert_local(text):
    """A W3C datetime that carries the commune's +07:00 offset."""
    assert dt.datetime.fromisoformat(text).utcoffset() == LOCAL_OFFSET, text


def assert_request(item, personal):
    """Every field of the issue, local datetimes, and personal data only with a key."""
    assert_fields(item, REQUEST_FIELDS)
    assert item["status"] in ("open", "closed")
    for name in ("requested_datetime", "updated_datetime", "expected_datetime"):
        if item[name] is not None:
            assert_local(item[name])
    if personal:
        assert_fields(item, PERSONAL_FIELDS)
    else:
        assert not set(PERSONAL_FIELDS) & set(item)
        assert item["description"] is None


@pytest.fixture
def key(db):
    """A valid API key for a commune kiosk."""
    return apikeys.create_key(db, communes.first_commune(db), "kiosk")


@pytest.fixture
def post(client, key):
    """POST a form to requests.json with the kiosk key."""

    def send(fmt="json", **fields):
        return client.post(f"{BASE}/requests.{fmt}", data={"api_key": key, **fields})

    return send


def visit_form(**overrides):
    """A valid home-visit form for a resident of Phú Hòa A."""
    form = {
        "service_code": "VISIT",
        "phone": "0912 345 678",
        "first_name": "Thị Hoa",
        "last_name": "Nguyễn",
        "attribute[hamlet]": "PHUHOAA",
        "attribute[reason]": "Cài VNeID giúp",
    }
    form.update(overrides)
    return form


def request_row(db, ref):
    return service_requests.by_ref(db, ref)


# -- discovery and services ----------------------------------------------------------------


def test_discovery_is_public_and_lists_json_and_xml(client):
    response = client.get(f"{BASE}/discovery.json")
    assert response.status_code == 200
    body = response.get_json()
    endpoint = body["endpoints"][0]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"] == "https://hamlet.example.org/open311/v2"
    assert endpoint["formats"] == ["text/xml", "application/json"]
    root = ET.fromstring(client.get(f"{BASE}/discovery.xml").data)
    assert root.tag == "discovery"
    assert [f.text for f in root.iterfind("endpoints/endpoint/formats/format")] == [
        "text/xml",
        "application/json",
    ]


def test_services_are_the_home_visit_a_question_and_every_procedure(client, db):
    response = client.get(f"{BASE}/services.json")
    assert response.status_code == 200
    assert response.content_type == "application/json; charset=utf-8"
    body = response.get_json()
    for service in body:
        assert_fields(service, SERVICE_FIELDS)
        assert service["type"] == "realtime"
        assert service["metadata"] is True
    procedures = guidance.all_procedures(db)
    assert [s["service_code"] for s in body] == ["VISIT", "QUESTION"] + [
        p["code"] for p in procedures
    ]
    by_code = {s["service_code"]: s for s in body}
    for procedure in procedures:
        service = by_code[procedure["code"]]
        assert service["service_name"] == procedure["name"]
        assert service["keywords"].split(",") == procedure["synonyms"]
        assert service["group"] == "Thủ tục"


@pytest.mark.parametrize(("code", "words"), [("VISIT", {"HEN", "DENNHA"}), ("QUESTION", {"HOI"})])
def test_the_visit_and_question_services_list_the_sms_keywords(client, code, words):
    body = client.get(f"{BASE}/services.json").get_json()
    service = next(s for s in body if s["service_code"] == code)
    listed = service["keywords"].split(",")
    assert words <= set(listed)
    for word in listed:
        assert keywords.parse(word).intent == code.lower()


def test_an_earlier_open_request_keeps_a_priority_that_agrees_with_the_resident(post, db):
    earlier, _ = service_requests.open_request(
        db, Asked(phone="+84912345678", kind=lifecycle.QUESTION, channel="sms", description="Hỏi")
    )
    assert earlier["priority"] == 0
    post(**visit_form(**{"attribute[lives_alone]": "yes"}))
    resident = db["residents"].get(earlier["resident_id"])
    expected = 1 if residents.is_vulnerable(resident) else 0
    assert lifecycle.get(db, earlier["id"])["priority"] == expected


def test_services_xml_uses_the_spec_element_names(client):
    response = client.get(f"{BASE}/services.xml")
    assert response.content_type == "text/xml; charset=utf-8"
    root = ET.fromstring(response.data)
    assert root.tag == "services"
    first = root.find("service")
    assert first.findtext("service_code") == "VISIT"
    assert first.findtext("metadata") == "true"
    assert first.findtext("service_name") == "Yêu cầu cán bộ đến nhà"


def test_home_visit_definition_has_hamlet_reason_and_vulnerability_attributes(client, db):
    body = client.get(f"{BASE}/services/VISIT.json").get_json()
    assert body["service_code"] == "VISIT"
    attributes = {a["code"]: a for a in body["attributes"]}
    assert list(attributes) == [
        "hamlet",
        "reason",
        "age_75_plus",
        "lives_alone",
        "limited_mobility",
    ]
    for attribute in body["attributes"]:
        assert_fields(attribute, ATTRIBUTE_FIELDS)
    hamlet = attributes["hamlet"]
    assert hamlet["datatype"] == "singlevaluelist" and hamlet["required"] is True
    assert hamlet["values"] == [{"key": h["code"], "name": h["name"]} for h in hamlets.active(db)]
    assert attributes["reason"]["datatype"] == "text"
    assert [v["key"] for v in attributes["lives_alone"]["values"]] == ["yes", "no"]


def test_procedure_definition_takes_an_optional_hamlet(client):
    body = client.get(f"{BASE}/services/khaisinh.json").get_json()
    assert body["service_code"] == "KHAISINH"
    assert [(a["code"], a["required"]) for a in body["attributes"]] == [("hamlet", False)]


def test_service_definition_xml_nests_attributes_and_values(client):
    root = ET.fromstring(client.get(f"{BASE}/services/VISIT.xml").data)
    assert root.tag == "service_definition"
    hamlet = root.find("attributes/attribute")
    assert hamlet.findtext("code") == "hamlet"
    assert hamlet.find("values/value").findtext("key") == "PHUHOAA"


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_unknown_service_is_a_404_in_open311_format(client, fmt):
    response = client.get(f"{BASE}/services/NOPE.{fmt}")
    assert response.status_code == 404
    if fmt == "json":
        assert response.get_json() == [
            {"code": 404, "description": "no service has this service_code"}
        ]
    else:
        error = ET.fromstring(response.data).find("error")
        assert error.findtext("code") == "404"


# -- filing requests -----------------------------------------------------------------------


def test_posted_home_visit_is_scheduled_on_the_next_trip_to_its_hamlet(post, db):
    response = post(**visit_form())
    assert response.status_code == 201
    (body,) = response.get_json()
    assert_fields(body, POST_FIELDS)
    request = request_row(db, body["service_request_id"])
    hamlet = db["hamlets"].get(request["hamlet_id"])
    trip = trips.next_trip_for(db, hamlet["id"])
    assert hamlet["code"] == "PHUHOAA"
    assert request["trip_id"] == trip["id"]
    assert request["status"] == "scheduled"
    assert request["channel"] == "api"
    assert request["description"] == "Cài VNeID giúp"
    assert trips.booked(db, trip["id"]) == 1
    assert (
        body["expected_datetime"]
        == dt.datetime.fromisoformat(trip["starts_at"])
        .astimezone(dt.timezone(LOCAL_OFFSET))
        .isoformat()
    )
    assert body["service_notice"] == service_requests.confirmation_sms(db, request)
    assert response.headers["Location"] == f"{BASE}/requests/{request['ref']}.json"


def test_posted_request_is_recorded_as_the_keys_work_and_the_resident_is_told(post, db):
    (body,) = post(**visit_form()).get_json()
    request = request_row(db, body["service_request_id"])
    opened = lifecycle.events(db, request["id"])[0]
    assert (opened["action"], opened["actor_type"], opened["actor"], opened["channel"]) == (
        "opened",
        "api",
        "kiosk",
        "api",
    )
    resident = db["residents"].get(request["resident_id"])
    assert (resident["phone"], resident["name"]) == ("+84912345678", "Nguyễn Thị Hoa")
    (sms,) = db["outbox"].rows_where("request_id = ?", [request["id"]])
    assert (sms["phone"], sms["kind"], sms["body"]) == (
        "+84912345678",
        "confirmation",
        body["service_notice"],
    )


def test_posted_request_is_in_the_staff_queue_and_on_its_trip_sheet(post, staff_client, db):
    (body,) = post(**visit_form()).get_json()
    request = request_row(db, body["service_request_id"])
    assert request["trip_id"] is not None
    page = staff_client.get("/")
    assert page.status_code == 200
    assert body["service_request_id"] in page.get_data(as_text=True)
    sheet = staff_client.get(f"/trips/{request['trip_id']}")
    assert sheet.status_code == 200
    assert body["service_request_id"] in sheet.get_data(as_text=True)


def test_vulnerability_flags_give_the_visit_priority(post, db):
    form = visit_form(**{"attribute[age_75_plus]": "yes", "attribute[lives_alone]": "no"})
    (body,) = post(**form).get_json()
    request = request_row(db, body["service_request_id"])
    resident = db["residents"].get(request["resident_id"])
    assert request["priority"] == 1
    assert (resident["age_75_plus"], resident["lives_alone"], resident["limited_mobility"]) == (
        1,
        0,
        0,
    )


def test_address_string_finds_the_hamlet_in_free_text(post, db):
    form = visit_form(**{"attribute[hamlet]": "", "address_string": "Ấp Phú Thuận B, xã Phú Lâm"})
    (body,) = post(**form).get_json()
    request = request_row(db, body["service_request_id"])
    assert db["hamlets"].get(request["hamlet_id"])["code"] == "PHUTHUANB"


def test_posting_a_procedure_opens_a_guidance_follow_up(post, db):
    response = post(service_code="khaisinh", phone="0987654321", description="Con sinh hôm qua")
    assert response.status_code == 201
    (body,) = response.get_json()
    request = request_row(db, body["service_request_id"])
    assert (request["kind"], request["service_code"], request["status"]) == (
        "question",
        "KHAISINH",
        "open",
    )
    assert request["trip_id"] is None
    assert body["expected_datetime"] is None
    assert body["service_notice"].startswith("Xa Phu Lam: Da nhan cau hoi, ma ")


def test_a_second_visit_for_the_same_resident_returns_the_open_one(post, db):
    first = post(**visit_form()).get_json()[0]
    again = post(**visit_form(**{"attribute[reason]": "Lần nữa"}))
    assert again.status_code == 200
    assert again.get_json()[0]["service_request_id"] == first["service_request_id"]
    assert db["requests"].count == 1


def test_a_retried_post_with_the_same_idempotency_key_files_one_request(client, key, db):
    form = {"api_key": key, "service_code": "QUESTION", "phone": "0909111222", "description": "Hỏi"}
    headers = {"Idempotency-Key": "kiosk-42"}
    first = client.post(f"{BASE}/requests.json", data=form, headers=headers)
    second = client.post(f"{BASE}/requests.json", data=form, headers=headers)
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.get_json() == second.get_json()
    assert db["requests"].count == 1


def test_the_key_may_come_in_the_x_api_key_header(client, key, db):
    response = client.post(f"{BASE}/requests.xml", data=visit_form(), headers={"X-Api-Key": key})
    assert response.status_code == 201
    request = ET.fromstring(response.data).find("request")
    assert request_row(db, request.findtext("service_request_id"))["status"] == "scheduled"


@pytest.mark.parametrize("api_key", [None, "", "hl_not-a-real-key"])
def test_posting_without_a_valid_key_is_refused(client, db, api_key):
    form = visit_form()
    if api_key is not None:
        form["api_key"] = api_key
    response = client.post(f"{BASE}/requests.json", data=form)
    assert response.status_code == 403
    assert response.get_json()[0]["code"] == 403
    assert db["requests"].count == 0


def test_a_revoked_key_is_refused(client, key, db):
    apikeys.revoke(db, communes.first_commune(db), apikeys.verify(db, key)["id"])
    response = client.post(f"{BASE}/requests.json", data={"api_key": key, **visit_form()})
    assert response.status_code == 403


@pytest.mark.parametrize(
    ("overrides", "words"),
    [
        ({"service_code": ""}, "service_code is required"),
        ({"service_code": "NOPE"}, "unknown service_code"),
        ({"phone": ""}, "phone is required"),
        ({"phone": "12"}, "not a valid phone"),
        ({"phone": "không có"}, "not a valid phone"),
        ({"attribute[hamlet]": ""}, "needs the hamlet"),
        ({"attribute[hamlet]": "ATLANTIS"}, "unknown hamlet"),
        ({"attribute[hamlet]": "", "address_string": "Hà Nội"}, "names no known hamlet"),
        ({"attribute[age_75_plus]": "maybe"}, "must be yes or no"),
        ({"description": "x" * 4001}, "longer than 4000"),
        ({"service_code": "QUESTION", "attribute[reason]": ""}, "needs a description"),
    ],
)
def test_bad_post_parameters_are_a_400_and_file_nothing(post, db, overrides, words):
    response = post(**visit_form(**overrides))
    assert response.status_code == 400
    (error,) = response.get_json()
    assert error["code"] == 400
    assert words in error["description"]
    assert db["requests"].count == 0


def test_a_location_given_only_as_coordinates_is_not_enough_for_a_visit(post, db):
    form = visit_form(**{"attribute[hamlet]": "", "lat": "10.73", "long": "105.28"})
    assert post(**form).status_code == 400


# -- reading requests ----------------------------------------------------------------------


@pytest.fixture
def filed(post):
    """A home visit and a question filed through the API; returns their refs."""
    visit = post(**visit_form()).get_json()[0]["service_request_id"]
    question = post(
        service_code="QUESTION", phone="0987654321", description="Khai tử cần gì?"
    ).get_json()[0]["service_request_id"]
    return visit, question


def test_requests_without_a_key_have_personal_fields_removed(client, filed):
    response = client.get(f"{BASE}/requests.json")
    assert response.status_code == 200
    body = response.get_json()
    assert {item["service_request_id"] for item in body} == set(filed)
    for item in body:
        assert_request(item, personal=False)
        assert "+849" not in json.dumps(item)


def test_requests_with_a_key_include_phone_names_and_description(client, key, filed):
    body = client.get(f"{BASE}/requests.json", query_string={"api_key": key}).get_json()
    by_ref = {item["service_request_id"]: item for item in body}
    visit = by_ref[filed[0]]
    assert_request(visit, personal=True)
    assert (visit["phone"], visit["first_name"], visit["last_name"]) == (
        "+84912345678",
        "Thị Hoa",
        "Nguyễn",
    )
    assert visit["description"] == "Cài VNeID giúp"
    assert (visit["address"], visit["address_id"]) == ("Phú Hòa A", "PHUHOAA")
    assert visit["agency_responsible"] == "UBND xã Phú Lâm"
    assert visit["status_notes"].startswith("scheduled for ")
    question = by_ref[filed[1]]
    assert_request(question, personal=True)
    assert (question["status"], question["status_notes"]) == (
        "open",
        "waiting for an answer from staff",
    )
    assert question["expected_datetime"] is None


def test_a_wrong_key_on_a_read_is_a_403(client, filed):
    response = client.get(f"{BASE}/requests.json", headers={"X-Api-Key": "hl_wrong"})
    assert response.status_code == 403
    assert response.get_json() == [{"code": 403, "description": "api_key is not valid"}]
    assert client.get(f"{BASE}/requests/{filed[0]}.json?api_key=x").status_code == 403


def test_using_a_key_stamps_it(client, key, db):
    assert apikeys.verify(db, key)["last_used_at"] is None
    client.get(f"{BASE}/requests.json", headers={"X-Api-Key": key})
    assert apikeys.verify(db, key)["last_used_at"] is not None


def test_one_request_by_id_in_json_and_xml(client, key, filed):
    visit = filed[0]
    body = client.get(f"{BASE}/requests/{visit.lower()}.json").get_json()
    assert len(body) == 1
    assert_request(body[0], personal=False)
    assert body[0]["service_request_id"] == visit
    root = ET.fromstring(client.get(f"{BASE}/requests/{visit}.xml?api_key={key}").data)
    assert root.tag == "service_requests"
    request = root.find("request")
    assert request.findtext("service_request_id") == visit
    assert request.findtext("phone") == "+84912345678"
    assert request.findtext("address") == "Phú Hòa A"
    assert_local(request.findtext("expected_datetime"))


def test_control_characters_in_stored_text_do_not_break_the_xml(post, client, key):
    (body,) = post(
        service_code="QUESTION", phone="0909111222", description="Hỏi\x0b\x01 gì?"
    ).get_json()
    response = client.get(f"{BASE}/requests/{body['service_request_id']}.xml?api_key={key}")
    assert ET.fromstring(response.data).find("request").findtext("description") == "Hỏi gì?"


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_an_unknown_request_id_is_a_404(client, fmt):
    response = client.get(f"{BASE}/requests/ZZZZZ.{fmt}")
    assert response.status_code == 404
    if fmt == "xml":
        root = ET.fromstring(response.data)
        assert (root.tag, root.find("error").findtext("code")) == ("errors", "404")


def _close(db, ref, how):
    request = service_requests.by_ref(db, ref)
    with transaction(db):
        if how == "visited":
            with on_trip_day(db, request["id"]):
                service_requests.mark_visited(db, request["id"], actor="lan", notify=False)
        elif how == "unreachable":
            with on_trip_day(db, request["id"]):
                service_requests.mark_unreachable(db, request["id"], actor="lan", notify=False)
        elif how == "cancelled":
            service_requests.cancel_request(db, request["id"], actor_type="staff", actor="lan")
        elif how == "answered":
            service_requests.answer_question(db, request["id"], "Mang giấy báo tử.", actor="lan")


@pytest.mark.parametrize(
    ("which", "how", "notes"),
    [
        (0, "visited", "visited"),
        (0, "unreachable", "the resident could not be reached"),
        (0, "cancelled", "cancelled"),
        (1, "answered", "answered"),
        (1, "cancelled", "closed"),
    ],
)
def test_internal_statuses_map_to_closed_with_plain_notes(client, db, filed, which, how, notes):
    _close(db, filed[which], how)
    (item,) = client.get(f"{BASE}/requests/{filed[which]}.json").get_json()
    assert (item["status"], item["status_notes"]) == ("closed", notes)
    closed = client.get(f"{BASE}/requests.json?status=closed").get_json()
    opened = client.get(f"{BASE}/requests.json?status=open").get_json()
    assert [i["service_request_id"] for i in closed] == [filed[which]]
    assert [i["service_request_id"] for i in opened] == [filed[1 - which]]


def test_a_visit_waiting_for_a_trip_says_so(client, db, filed):
    request = service_requests.by_ref(db, filed[0])
    with transaction(db):
        lifecycle.transition(db, request["id"], "new", actor_type="staff", trip_id=None)
    (item,) = client.get(f"{BASE}/requests/{filed[0]}.json").get_json()
    assert (item["status"], item["status_notes"]) == ("open", "waiting for a trip")


def test_scheduled_notes_name_the_trip_day(client, db, filed):
    request = service_requests.by_ref(db, filed[0])
    trip = trips.get(db, request["trip_id"])
    day = dt.date.fromisoformat(trip["date"])
    (item,) = client.get(f"{BASE}/requests/{filed[0]}.json").get_json()
    assert item["status_notes"] == f"scheduled for {day:%A} {day:%d/%m}"


def test_a_list_of_ids_overrides_the_other_filters(client, filed):
    ids = ",".join(filed)
    body = client.get(
        f"{BASE}/requests.json",
        query_string={"service_request_id": ids, "status": "closed", "service_code": "KHAISINH"},
    ).get_json()
    assert sorted(item["service_request_id"] for item in body) == sorted(filed)


def test_service_code_filter(client, filed):
    body = client.get(f"{BASE}/requests.json?service_code=visit").get_json()
    assert [item["service_request_id"] for item in body] == [filed[0]]


@pytest.mark.parametrize(
    ("params", "words"),
    [
        ({"start_date": "yesterday"}, "start_date must be a W3C datetime"),
        ({"end_date": "2026-13-45"}, "end_date must be a W3C datetime"),
        ({"start_date": "0001-01-01T00:00:00+14:00"}, "start_date must be a W3C datetime"),
        ({"start_date": "2026-01-01", "end_date": "2026-06-01"}, "at most 90 days apart"),
        ({"start_date": "2026-06-01", "end_date": "2026-05-01"}, "before start_date"),
        ({"status": "pending"}, "status must be open or closed"),
        ({"service_code": "NOPE"}, "unknown service_code"),
        ({"page": "0"}, "page must be a whole number"),
        ({"page": "-1"}, "page must be a whole number"),
        ({"page": "99999999999999999999999"}, "page must be a whole number"),
        ({"page_size": "501"}, "page_size must be a whole number from 1 to 500"),
        ({"page_size": "ten"}, "page_size must be a whole number"),
        ({"service_request_id": ",".join(["AAAAA"] * 501)}, "at most 500 ids"),
    ],
)
def test_bad_query_parameters_are_a_400(client, params, words):
    response = client.get(f"{BASE}/requests.json", query_string=params)
    assert response.status_code == 400
    (error,) = response.get_json()
    assert error["code"] == 400
    assert words in error["description"]


def test_unknown_paths_and_formats_are_a_404_in_open311_format(client):
    for path in ("nope", "services.csv", "requests/ABCDE.html", ""):
        response = client.get(f"{BASE}/{path}")
        assert response.status_code == 404, path
        assert response.get_json()[0]["code"] == 404
    root = ET.fromstring(client.get(f"{BASE}/nope.xml").data)
    assert root.find("error").findtext("code") == "404"


def test_a_wrong_method_is_a_405(client):
    response = client.post(f"{BASE}/services.json")
    assert response.status_code == 405
    assert response.get_json()[0]["code"] == 405
    assert client.delete(f"{BASE}/requests.json").status_code == 405
