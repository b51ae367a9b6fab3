"""Open311 on a province server: a key belongs to one commune, jurisdiction_id is checked."""

import pytest

from tests.security.communes import A_REF, B_REF, build_commune_a, build_commune_b

BASE = "/open311/v2"


@pytest.fixture
def two(app, store):
    """Communes A (the first) and B, each with requests and a key."""
    return build_commune_a(store), build_commune_b(store)


def refs(response):
    assert response.status_code == 200, response.get_data(as_text=True)
    return {item["service_request_id"] for item in response.get_json()}


def test_a_key_reads_its_own_commune_without_jurisdiction_id(client, two):
    a, b = two
    listed = client.get(f"{BASE}/requests.json", query_string={"api_key": b.api_key})
    assert B_REF in refs(listed)
    assert A_REF not in refs(listed)


def test_a_key_with_its_own_jurisdiction_id_is_accepted(client, two):
    a, b = two
    answer = client.get(
        f"{BASE}/requests/{B_REF}.json",
        query_string={"api_key": b.api_key, "jurisdiction_id": "bengo"},
    )
    (item,) = answer.get_json()
    assert item["agency_responsible"] == "UBND xã Bến Gỗ"
    assert item["phone"]  # the key's own commune: personal fields shown


@pytest.mark.parametrize("jurisdiction", ["phulam", "PHULAM", "nowhere"])
def test_a_wrong_jurisdiction_id_is_a_400(client, two, jurisdiction):
    a, b = two
    for method, path in (
        ("GET", f"{BASE}/requests.json"),
        ("GET", f"{BASE}/requests/{A_REF}.json"),
        ("GET", f"{BASE}/services.json"),
        ("POST", f"{BASE}/requests.json"),
    ):
        answer = client.open(
            path,
            method=method,
            query_string={"api_key": b.api_key, "jurisdiction_id": jurisdiction},
            data={"service_code": "QUESTION", "phone": "0912000999", "description": "x"}
            if method == "POST"
            else None,
        )
        assert answer.status_code == 400, (method, path, answer.status_code)
        (error,) = answer.get_json()
        assert "jurisdiction_id" in error["description"]


def test_another_communes_reference_is_not_found_with_a_key(client, two):
    a, b = two
    answer = client.get(f"{BASE}/requests/{A_REF}.json", query_string={"api_key": b.api_key})
    assert answer.status_code == 404


def test_a_filing_lands_in_the_keys_commune_with_its_agency(client, store, two):
    a, b = two
    answer = client.post(
        f"{BASE}/requests.json",
        data={
            "api_key": b.api_key,
            "service_code": "QUESTION",
            "phone": "0912 000 998",
            "description": "Hỏi giấy tờ",
        },
    )
    assert answer.status_code == 201, answer.get_data(as_text=True)
    (item,) = answer.get_json()
    row = store.execute(
        "SELECT commune_id FROM requests WHERE ref = ? AND commune_id = ?",
        [item["service_request_id"], b.commune.id],
    ).fetchone()
    assert row == (b.commune.id,)
    detail = client.get(f"{BASE}/requests/{item['service_request_id']}.json?api_key={b.api_key}")
    assert detail.get_json()[0]["agency_responsible"] == "UBND xã Bến Gỗ"


def test_without_a_key_several_communes_need_a_jurisdiction_id(client, two):
    a, b = two
    assert client.get(f"{BASE}/requests.json").status_code == 400
    public = client.get(f"{BASE}/requests.json", query_string={"jurisdiction_id": "bengo"})
    assert refs(public) == {B_REF}
    assert "phone" not in public.get_json()[0]


def test_one_commune_needs_no_jurisdiction_id(client):
    answer = client.get(f"{BASE}/discovery.json")
    assert answer.status_code == 200
    assert answer.get_json()["contact"].startswith("UBND xã Phú Lâm")
