"""Provider retries: the same MessageSid delivered three times at once acts exactly once."""

from bench import loadgen
from tests.reliability.support import acknowledged, home_visit_texts, messages_in, rows, scalar

MESSAGES = 40
COPIES = 3


def test_a_webhook_delivered_three_times_at_once_opens_one_request_and_replies_the_same(
    start_service,
):
    service = start_service(workers=4)
    batch = home_visit_texts(service, MESSAGES, run="a1")
    # Copies of one message sit next to each other, so they reach different workers together.
    raws = [raw for _, _, raw in batch for _ in range(COPIES)]

    replies = loadgen.send_all(service.port, raws, concurrency=len(raws), time_limit=60)

    assert all(acknowledged(reply) for reply in replies), [
        (r.status, r.text[:200]) for r in replies if not acknowledged(r)
    ]
    for index, (sid, _, _) in enumerate(batch):
        copies = replies[index * COPIES : (index + 1) * COPIES]
        assert len({reply.body for reply in copies}) == 1, (sid, [messages_in(r) for r in copies])
    inbound = rows(
        service.db_path,
        "SELECT provider_id, count(*) FROM messages WHERE direction = 'in' GROUP BY provider_id",
    )
    assert sorted(inbound) == sorted((sid, 1) for sid, _, _ in batch)
    visits = rows(
        service.db_path,
        "SELECT p.phone, count(*) FROM requests r JOIN residents p ON p.id = r.resident_id "
        "WHERE r.kind = 'visit' GROUP BY p.phone",
    )
    assert sorted(visits) == sorted((phone, 1) for _, phone, _ in batch)
    assert scalar(service.db_path, "SELECT count(*) FROM requests") == MESSAGES
    assert "database is locked" not in service.log_text()
