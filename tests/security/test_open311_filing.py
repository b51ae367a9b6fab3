"""Open311 filing: bounded per key and per phone, and never a change to a known resident."""

import pytest

from app import communes, residents
from app.accounts import apikeys
from db import transaction

BASE = "/open311/v2"


# The tests read the first commune's residents directly; the filings find it by their key.
pytestmark = pytest.mark.usefixtures("in_first_commune")


@pytest.fixture
def key(store):
    with transaction(store):
        return apikeys.create_key(store, communes.first_commune(store), "kiosk")


def limit(name):
    """A limit from open311.limits, as (count, window)."""
    from open311 import limits

    return getattr(limits, name)


def file(client, key, fmt="json", **fields):
    form = {"service_code": "QUESTION", "description": "Lam giay khai tu can gi?", **fields}
    return client.post(f"{BASE}/requests.{fmt}", data={"api_key": key, **form})


def test_a_key_filing_faster_than_its_limit_gets_429_in_open311_format(client, store, key):
    allowed, window = limit("PER_KEY")
    statuses = [
        file(client, key, phone=f"09120{number:05d}").status_code for number in range(allowed)
    ]
    assert statuses == [201] * allowed
    refused = file(client, key, phone="0912099999")
    assert refused.status_code == 429
    [error] = refused.get_json()
    assert error["code"] == 429 and "api_key" in error["description"]
    assert 1 <= int(refused.headers["Retry-After"]) <= window.total_seconds() + 1
    xml = file(client, key, fmt="xml", phone="0912099998")
    assert xml.status_code == 429 and b"<errors><error><code>429</code>" in xml.data
    assert store["requests"].count == allowed
    # Another key is counted on its own.
    with transaction(store):
        other = apikeys.create_key(store, communes.first_commune(store), "dashboard")
    assert file(client, other, phone="0912099997").status_code == 201


def test_one_phone_gets_a_bounded_number_of_filings_and_of_texts(client, store, key):
    allowed, _window = limit("PER_PHONE")
    statuses = [file(client, key, phone="0912 345 678").status_code for _ in range(30)]
    assert statuses == [201] * allowed + [429] * (30 - allowed)
    texts = store["outbox"].count_where("phone = ?", ["+84912345678"])
    assert texts == allowed


def test_the_limit_window_passes(client, store, key, time_machine):
    time_machine.move_to("2027-03-01 03:00:00+00:00", tick=False)
    allowed, window = limit("PER_PHONE")
    for _ in range(allowed):
        assert file(client, key, phone="0912 345 678").status_code == 201
    assert file(client, key, phone="0912 345 678").status_code == 429
    time_machine.shift(window.total_seconds() + 1)
    assert file(client, key, phone="0912 345 678").status_code == 201


def test_a_filing_never_moves_or_renames_a_known_resident(client, store, key, hamlet_ids):
    with transaction(store):
        resident = residents.find_or_create(store, "0912 345 678", name="Nguyễn Thị Hoa")
        residents.update(store, resident["id"], hamlet_id=hamlet_ids["PHUHOAA"], lives_alone=0)
    before = residents.by_phone(store, "+84912345678")
    response = file(
        client,
        key,
        phone="0912 345 678",
        last_name="Trần",
        first_name="Văn Giả",
        **{"attribute[hamlet]": "TANPHU", "attribute[lives_alone]": "yes"},
    )
    assert response.status_code == 201
    assert residents.by_phone(store, "+84912345678") == before
    request = store.execute(
        "SELECT id, hamlet_id, priority FROM requests ORDER BY id DESC LIMIT 1"
    ).fetchone()
    assert request[1:] == (hamlet_ids["TANPHU"], 1)
    note = store.execute(
        "SELECT note FROM request_events WHERE request_id = ? AND action = 'reported'",
        [request[0]],
    ).fetchone()[0]
    assert "Trần Văn Giả" in note and "Tân Phú" in note and "lives_alone: yes" in note


def test_a_visit_for_a_known_resident_goes_on_the_named_hamlets_trip_only(
    client, store, key, hamlet_ids
):
    with transaction(store):
        resident = residents.find_or_create(store, "0912 345 678", name="Nguyễn Thị Hoa")
        residents.update(store, resident["id"], hamlet_id=hamlet_ids["PHUHOAA"])
    response = file(
        client,
        key,
        service_code="VISIT",
        phone="0912 345 678",
        **{"attribute[hamlet]": "TANPHU"},
    )
    assert response.status_code == 201
    assert residents.by_phone(store, "+84912345678")["hamlet_id"] == hamlet_ids["PHUHOAA"]
    [(hamlet_id,)] = store.execute("SELECT hamlet_id FROM requests").fetchall()
    assert hamlet_id == hamlet_ids["TANPHU"]


def test_a_new_resident_is_created_from_what_the_filing_says(client, store, key, hamlet_ids):
    response = file(
        client,
        key,
        service_code="VISIT",
        phone="0912 345 679",
        last_name="Lê",
        first_name="Văn Tám",
        **{"attribute[hamlet]": "TANPHU", "attribute[age_75_plus]": "yes"},
    )
    assert response.status_code == 201
    created = residents.by_phone(store, "+84912345679")
    assert (created["name"], created["hamlet_id"], created["age_75_plus"]) == (
        "Lê Văn Tám",
        hamlet_ids["TANPHU"],
        1,
    )


@pytest.fixture
def hamlet_ids(store):
    return {code: hamlet_id for hamlet_id, code in store.execute("SELECT id, code FROM hamlets")}
