"""Open311 reads are limited per API key and per client address: a 429 with Retry-After."""

import xml.etree.ElementTree as ET

from open311 import reads
from tests.test_open311 import key  # noqa: F401  (fixture)

LIST = "/open311/v2/requests.json"


def test_anonymous_reads_past_the_address_burst_get_429_with_retry_after(app, client):
    app.config["OPEN311_READS_PER_ADDRESS"] = (60, 5)
    answers = [client.get(LIST).status_code for _ in range(5)]
    assert answers == [200] * 5
    refused = client.get(LIST)
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["Retry-After"]) <= 2
    assert "address" in refused.get_json()[0]["description"]
    # Another address still reads, and the XML format says the same in XML.
    other = {"REMOTE_ADDR": "203.0.113.7"}
    assert client.get(LIST, environ_base=other).status_code == 200
    xml = client.get("/open311/v2/services.xml")
    assert xml.status_code == 429
    assert ET.fromstring(xml.data).find("error").findtext("code") == "429"


def test_a_key_has_its_own_limit_whatever_address_it_reads_from(app, client, key):  # noqa: F811
    app.config["OPEN311_READS_PER_KEY"] = (120, 3)
    app.config["OPEN311_READS_PER_ADDRESS"] = (600, 600)
    for number in range(3):
        address = {"REMOTE_ADDR": f"203.0.113.{number + 1}"}
        assert client.get(LIST, headers={"X-Api-Key": key}, environ_base=address).status_code == 200
    refused = client.get(f"{LIST}?api_key={key}", environ_base={"REMOTE_ADDR": "203.0.113.9"})
    assert refused.status_code == 429
    assert "api_key" in refused.get_json()[0]["description"]
    assert int(refused.headers["Retry-After"]) >= 1


def test_filing_is_not_counted_as_a_read(app, client):
    app.config["OPEN311_READS_PER_ADDRESS"] = (60, 1)
    assert client.get(LIST).status_code == 200
    assert client.post(LIST, data={}).status_code == 403  # needs a key; not a 429


def test_a_bucket_refills_with_time():
    buckets = reads.TokenBuckets()
    assert buckets.take("a", per_minute=60, burst=1, now=100.0) is None
    assert buckets.take("a", per_minute=60, burst=1, now=100.5) == 1
    assert buckets.take("a", per_minute=60, burst=1, now=101.6) is None


def test_two_web_workers_share_one_limit(app, client):
    # A second app on the same database is a second gunicorn worker: its own process memory,
    # the same server. Reads through either count against the one address limit.
    from app import create_app

    app.config["OPEN311_READS_PER_ADDRESS"] = (60, 4)
    other = create_app({**app.config, "OPEN311_READS_PER_ADDRESS": (60, 4)}).test_client()
    answers = [(client if n % 2 else other).get(LIST).status_code for n in range(4)]
    assert answers == [200] * 4
    assert client.get(LIST).status_code == 429
    assert other.get(LIST).status_code == 429


def test_a_shared_bucket_refills_with_time(tmp_path):
    from app.infra.shared_buckets import SharedBuckets

    one, two = SharedBuckets(tmp_path / "reads"), SharedBuckets(tmp_path / "reads")
    assert one.take("a", per_minute=60, burst=1, now=100.0) is None
    assert two.take("a", per_minute=60, burst=1, now=100.5) == 1
    assert one.take("a", per_minute=60, burst=1, now=101.6) is None
    # It holds client addresses: owner-only, whatever the umask.
    assert (tmp_path / "reads").stat().st_mode & 0o777 == 0o600
