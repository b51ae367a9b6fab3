"""Provider retries: the same MessageSid delivered three times at once acts exactly once."""

from bench import loadgen
from tests.reliability.support import (
    acknowledged,
    assert_each_text_stored_once,
    drain,
    home_visit_texts,
    messages_in,
    scalar,
)

MESSAGES = 40
COPIES = 3


def test_a_webhook_delivered_three_times_at_once_opens_one_request_and_one_reply(
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
    drain(service)
    assert_each_text_stored_once(service.db_path, batch)
    assert scalar(service.db_path, "SELECT count(*) FROM requests") == MESSAGES
    # Replies only: from 17:00 the day before a trip, its visits' reminders are queued too.
    replies = "SELECT count(*) FROM outbox WHERE kind = 'reply'"
    assert scalar(service.db_path, replies) == MESSAGES
    assert "database is locked" not in service.log_text()
