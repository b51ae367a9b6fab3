"""Scheduled jobs run by the worker: trips, reminders, monthly reports, call-backs, gateway checks.

Every job is idempotent, so any number of worker processes (or a restarted one) can run
them: trip generation is keyed by rule and day, reminders by the outbox dedupe key
reminder:<request>:<trip>, and the daily job's last run is kept in the jobs table.
"""

import datetime as dt
import json
import logging

from flask import current_app

from app import communes, trips
from app.catalogue import commune_settings
from app.delivery import gateway_jobs
from app.infra import clock, tenant
from app.ops.report_cli import reports_root
from app.prompts import audio as prompt_audio
from app.reports import files as report_files
from app.reports import months
from app.request_queue import callbacks
from db import first, transaction

log = logging.getLogger(__name__)
# Nightly jobs (the classifier's retraining) run once a night, from this local hour.
NIGHTLY_HOUR = 2


def _last_run(db, name):
    """Return when job NAME last ran (aware UTC), or None."""
    row = first(db, "SELECT last_run_at FROM jobs WHERE name = :name", {"name": name})
    return clock.parse(row["last_run_at"]) if row else None


def _mark_run(db, name, note=None):
    """Stamp job NAME as run now."""
    db["jobs"].upsert(
        {"name": name, "last_run_at": clock.iso(clock.now()), "note": note}, pk="name"
    )


def _job_name(name):
    """A per-commune job's name: the first commune keeps the single-commune name."""
    commune_id = communes.current_id()
    return name if commune_id == communes.FIRST_ID else f"{name}:{commune_id}"


def generate_trips(db):
    """Once a local day: keep the schedule generated ahead and book waiting requests."""
    with transaction(db):
        last = _last_run(db, _job_name("trips"))
        if last and clock.to_local(last).date() == clock.local_today():
            return None
        created = trips.ensure_trips(db)
        booked = trips.assign_waiting(db)
        note = f"{created} trips created, {booked} waiting requests booked"
        _mark_run(db, _job_name("trips"), note)
    return {"created": created, "booked": booked}


def queue_reminders(db):
    """Queue one reminder per request per trip, from reminder_time the day before the trip.

    A worker that was down at reminder time catches up on its next pass, up to the
    trip's start. Returns how many reminders were queued now.
    """
    now = clock.now()
    at = commune_settings.reminder_time(db)
    tomorrow = clock.local_today() + dt.timedelta(days=1)
    queued = 0
    with transaction(db):
        soon = db["trips"].rows_where(
            "commune_id = :commune_id AND status = 'planned' AND starts_at > :now"
            " AND date <= :tomorrow",
            {
                "commune_id": communes.current_id(),
                "now": clock.iso(now),
                "tomorrow": tomorrow.isoformat(),
            },
            order_by="starts_at",
        )
        for trip in list(soon):
            day_before = dt.date.fromisoformat(trip["date"]) - dt.timedelta(days=1)
            if clock.at_local(day_before, at) > now:
                continue
            for request in trips.on_trip(db, trip["id"]):
                queued += trips.queue_reminder(db, request)
    return queued


def run_callbacks(db):
    """Place the voice channel's due call-backs and their retries."""
    # No transaction here: call-backs place phone calls, and network calls never run
    # inside a database transaction; the module manages its own.
    return callbacks.run_due_callbacks(db, current_app.config, clock.now())


def check_gateway(db):
    """Ask the gateway phone to re-deliver after a silence; check messages it never reported."""
    # Network calls, like run_callbacks: the module opens its own short transactions.
    return gateway_jobs.run(db, current_app.config)


def convert_prompt_audio(db):
    """Convert the prompt recordings staff uploaded: here, never in a web worker."""
    # ffmpeg runs outside any transaction; each verdict is its own short one.
    checks = current_app.extensions.get("prompt_length_checks", ())
    return prompt_audio.convert_pending(db, current_app.config, checks)


def run_nightly(db):
    """Once a night, from NIGHTLY_HOUR local: the jobs channels hand the app.

    The SMS channel hands the retraining of the classifier on the day's corrections
    (app.extensions["nightly_jobs"]), kept only if its held-out accuracy is not lower.
    """
    now = clock.to_local(clock.now())
    results = {}
    for name, job in current_app.extensions.get("nightly_jobs", ()):
        last = _last_run(db, name)
        if now.hour < NIGHTLY_HOUR or (last and clock.to_local(last).date() == now.date()):
            continue
        verdict = job(db)
        with transaction(db):
            _mark_run(db, name, json.dumps(verdict) if verdict else "nothing new")
        results[name] = verdict
    return results


def write_monthly_report(db):
    """From the 1st of a local month, once: write last month's report files of the commune."""
    commune = communes.current()
    month = months.label(*months.last_complete(commune.zone))
    name = _job_name("monthly_report")
    row = first(db, "SELECT note FROM jobs WHERE name = :name", {"name": name})
    if row and row["note"] == month:
        return None
    paths = report_files.write_month(db, commune, month, reports_root(current_app))
    with transaction(db):
        _mark_run(db, name, month)
    return [str(path) for path in paths]


# Jobs run once per commune, in its own time zone and with its own settings.
COMMUNE_JOBS = (
    ("trips", generate_trips),
    ("reminders", queue_reminders),
    ("monthly_report", write_monthly_report),
)
JOBS = (
    ("callbacks", run_callbacks),
    ("gateway", check_gateway),
    ("prompt_audio", convert_prompt_audio),
    ("nightly", run_nightly),
)


def run_due_jobs(db):
    """Run every scheduled job once; a failing job is logged and does not stop the others.

    The first commune's results are keyed by the job's name, another's by name:CODE.
    """
    results = {}
    for commune in communes.every(db):
        suffix = "" if commune.id == communes.FIRST_ID else f":{commune.code}"
        with communes.bound(commune):
            for name, job in COMMUNE_JOBS:
                results[name + suffix] = _run(name + suffix, job, db)
    # These jobs go over every commune's rows and bind each row's commune themselves: a
    # commune the caller happens to have bound must not stand in for it.
    with tenant.unbound():
        for name, job in JOBS:
            results[name] = _run(name, job, db)
    return results


def _run(name, job, db):
    """Run one job; log and return "error" when it fails."""
    try:
        return job(db)
    except Exception:  # noqa: BLE001 - one broken job must not stop the sender
        log.exception("scheduled job %s failed", name)
        return "error"
