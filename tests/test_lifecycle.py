"""Request statuses have one home: every other list of them agrees with app.lifecycle."""

from app import lifecycle
from open311.spec import PUBLIC_STATUS


def test_every_status_a_transition_knows_is_listed_once():
    known = {status for table in lifecycle.TRANSITIONS.values() for status in table}
    assert sorted(lifecycle.ALL_STATUSES) == sorted(known)


def test_open_and_closed_statuses_split_every_status_in_two():
    opened = set(lifecycle.ALL_OPEN_STATUSES)
    assert opened.isdisjoint(lifecycle.CLOSED_STATUSES)
    assert opened | lifecycle.CLOSED_STATUSES == set(lifecycle.ALL_STATUSES)


def test_open311_calls_open_exactly_what_the_lifecycle_calls_open():
    assert {s for s, public in PUBLIC_STATUS.items() if public == "open"} == set(
        lifecycle.ALL_OPEN_STATUSES
    )
    assert set(PUBLIC_STATUS) == set(lifecycle.ALL_STATUSES)


def test_every_sms_status_the_log_can_hold_has_words():
    from tests.test_staff_pages import SMS_STATUSES

    assert sorted(lifecycle.MESSAGE_STATUS_WORDS) == sorted(SMS_STATUSES)
    assert set(lifecycle.SMS_FAILED) <= set(SMS_STATUSES)
    assert set(lifecycle.SMS_WAITING) <= set(lifecycle.OUTBOX_STATUS_WORDS)


def test_a_status_list_renders_as_sql_constants():
    assert lifecycle.sql_list(("new", "scheduled")) == "('new', 'scheduled')"


def test_the_console_names_each_channel_a_request_comes_in_by():
    from staff.filters import CHANNEL_LABELS

    assert tuple(CHANNEL_LABELS) == lifecycle.CHANNELS
