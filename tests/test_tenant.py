"""No hidden default commune: work on its rows with none bound raises and stores nothing."""

import pytest

from app import communes, lifecycle, residents
from app.catalogue import catalog
from app.delivery import outbox
from app.infra import tenant
from app.ops import scheduler
from app.request_queue import callbacks, service_requests
from app.request_queue.asked import Asked
from db import transaction


def test_with_nothing_bound_the_current_commune_is_an_error_not_the_first_one():
    with tenant.unbound():
        with pytest.raises(communes.NoCommuneBound, match="no commune is bound"):
            communes.current_id()
        with pytest.raises(tenant.NoCommune):
            communes.current()
        assert communes.current_or_none() is None


def test_an_unbound_write_raises_and_stores_nothing(store):
    with tenant.unbound():
        with pytest.raises(communes.NoCommuneBound), transaction(store):
            outbox.enqueue(store, "+84912000111", "Xa Phu Lam: thu", kind="answer")
        with pytest.raises(communes.NoCommuneBound):
            residents.by_phone(store, "+84912000111")
    assert store["outbox"].count == 0


def test_an_sms_is_never_signed_with_a_default_communes_name(store):
    with transaction(store):
        tanhoa = communes.create(store, "TANHOA", "Xã Tân Hòa")
    with tenant.unbound():
        with pytest.raises(communes.NoCommuneBound):
            catalog.sms("sms_cancel_none")
        with communes.bound(tanhoa):
            assert catalog.sms("sms_cancel_none").startswith("Xa Tan Hoa: ")


def test_bound_gives_the_commune_for_the_block_and_nests(store):
    first = communes.first_commune(store)
    with transaction(store):
        second = communes.create(store, "TANHOA", "Xã Tân Hòa")
    with tenant.unbound(), communes.bound(first):
        assert communes.current_id() == first.id
        with communes.bound(second):
            assert communes.current_id() == second.id
        assert communes.current_id() == first.id
    with tenant.unbound(), pytest.raises(TypeError):
        communes.bound(None).__enter__()


def test_the_workers_call_back_job_works_in_each_call_backs_own_commune(monday_morning, app, store):
    # No Twilio account: a due call-back fails at once and says so on its request's
    # history, which belongs to the call-back's commune (here B), not the first one.
    with transaction(store):
        second = communes.create(store, "TANHOA", "Xã Tân Hòa")
    with communes.bound(second), transaction(store):
        request, _ = service_requests.open_request(
            store,
            Asked(phone="+84912000222", kind=lifecycle.QUESTION, channel="sms", description="?"),
        )
        callbacks.request_callback(
            store, "+84912000222", request_id=request["id"], requested_by="lan"
        )
    # The first commune bound by the caller must not stand in for the call-back's.
    with app.app_context(), communes.bound(communes.first_commune(store)):
        assert scheduler.run_due_jobs(store)["callbacks"] == 0
    [event] = store.execute(
        "SELECT commune_id FROM request_events WHERE action = 'callback_failed'"
    ).fetchall()
    assert event == (second.id,)


def test_every_scheduled_job_runs_from_the_worker_s_unbound_state(app, store, admin_client):
    import datetime as dt

    import time_machine

    from tests.test_voice_prompts import tone_wav, upload

    # An officer's upload waits for the worker, which binds no commune of its own.
    assert upload(admin_client, "greeting", tone_wav(seconds=2.0)).status_code == 302
    night = dt.datetime(2027, 3, 2, 2, 30, tzinfo=dt.timezone(dt.timedelta(hours=7)))
    with time_machine.travel(night, tick=False), app.app_context(), tenant.unbound():
        results = scheduler.run_due_jobs(store)
    assert "error" not in results.values(), results
    assert results["prompt_audio"] == {"kept": 1, "refused": 0}
    saved = "SELECT commune_id FROM audit_log WHERE action = 'prompt_recording_saved'"
    assert store.execute(saved).fetchall() == [(1,)]
