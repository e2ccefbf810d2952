import pickle
from datetime import UTC, datetime, timedelta

import pytest
from django.core.cache import cache

from central.sync.demand import central_work_record, work_key
from common.activity import activity_forget_mark, activity_key, activity_mark
from config.periodic import OnDemand, periodic_jobs

START = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)


def test_every_periodic_job_is_listed_with_an_expiry(settings):
    settings.CENTRAL_EVENTS_DRAIN_TASK = True
    jobs = periodic_jobs()
    assert {job["task"] for job in jobs.values()} == {
        "central.tasks.poll_central",
        "central.tasks.drain_central_events",
        "central.tasks.resend_outbox",
        "central.tasks.expire_unanswered_requests",
        "central.tasks.stop_abandoned_sessions",
    }
    assert all(job["options"]["expires"] >= 1.0 for job in jobs.values())
    poll = jobs["poll-central"]["schedule"]
    assert poll.seconds == settings.CENTRAL_POLL_INTERVAL
    assert poll.idle_every.total_seconds() == settings.CENTRAL_POLL_IDLE_INTERVAL


def test_the_drain_task_is_left_out_where_a_dedicated_consumer_runs(settings):
    settings.CENTRAL_EVENTS_DRAIN_TASK = False
    assert "drain-central-events" not in periodic_jobs()


def test_every_job_names_a_registered_task():
    from config.celery import app

    app.loader.import_default_modules()
    for job in periodic_jobs().values():
        assert job["task"] in app.tasks


@pytest.fixture
def nobody():
    """No marker: nobody needs the poll."""
    cache.delete_many([activity_key(), work_key()])
    activity_forget_mark()
    yield
    cache.delete_many([activity_key(), work_key()])
    activity_forget_mark()


def _at(seconds: float):
    return lambda: START + timedelta(seconds=seconds)


def test_while_nobody_needs_it_the_job_runs_at_the_idle_pace_and_sends_nothing_between(nobody):
    last_run = START
    assert OnDemand(1.5, 8, nowfun=_at(1.0)).is_due(last_run) == (False, pytest.approx(0.5, abs=0.06))
    # Past the full-pace interval: not due; beat asks again one interval later (a cache read, no task).
    assert OnDemand(1.5, 8, nowfun=_at(1.6)).is_due(last_run) == (False, pytest.approx(1.5, abs=0.06))
    assert OnDemand(1.5, 8, nowfun=_at(7.0)).is_due(last_run) == (False, pytest.approx(1.0, abs=0.06))
    assert OnDemand(1.5, 8, nowfun=_at(8.0)).is_due(last_run) == (True, 1.5)


@pytest.mark.parametrize("need", ["a driver active lately", "follow-up work"])
def test_when_somebody_needs_it_the_job_runs_at_full_pace(nobody, settings, need):
    settings.CENTRAL_POLL_ACTIVE_SECONDS = 60
    if need == "a driver active lately":
        activity_mark()
    else:
        central_work_record(True)  # what a poll that found an open session or a watch records

    assert OnDemand(1.5, 8, nowfun=_at(1.0)).is_due(START) == (False, pytest.approx(0.5, abs=0.06))
    assert OnDemand(1.5, 8, nowfun=_at(1.5)).is_due(START) == (True, 1.5)

    central_work_record(False)
    cache.delete(activity_key())
    assert OnDemand(1.5, 8, nowfun=_at(1.5)).is_due(START) == (False, pytest.approx(1.5, abs=0.06))


def test_the_schedule_survives_beats_schedule_file_and_compares_by_both_paces():
    poll = OnDemand(1.5, 8)
    again = pickle.loads(pickle.dumps(poll))

    assert isinstance(again, OnDemand)
    assert again == poll
    assert (again.seconds, again.idle_every, again.check_every) == (1.5, timedelta(seconds=8), timedelta(seconds=1.5))
    assert OnDemand(1.5, 10) != poll
    assert OnDemand(1.5, 8, 3) != poll
    assert OnDemand(2, 8) != poll


def test_the_safety_nets_slow_down_too_while_nobody_needs_them(settings):
    jobs = periodic_jobs()
    for name in ("resend-outbox", "expire-requests", "stop-abandoned-sessions"):
        assert isinstance(jobs[name]["schedule"], OnDemand), name
        assert jobs[name]["schedule"].idle_every == timedelta(seconds=60)
        assert jobs[name]["schedule"].check_every == timedelta(seconds=15)


def test_while_idle_beat_asks_about_the_safety_nets_every_check_every(nobody):
    net = OnDemand(5, 60, 15, nowfun=_at(5.0))
    assert net.is_due(START) == (False, pytest.approx(15.0, abs=0.06))
    assert OnDemand(5, 60, 15, nowfun=_at(50.0)).is_due(START) == (False, pytest.approx(10.0, abs=0.06))
    assert OnDemand(5, 60, 15, nowfun=_at(60.0)).is_due(START) == (True, 5.0)


def test_beat_waking_its_drift_early_is_answered_due_not_told_to_ask_again_at_once(nobody):
    # Beat sleeps 10 ms less than it was told (its `adjust` drift): "not yet, 0.01 s" would make it spin.
    assert OnDemand(1.5, 8, nowfun=_at(7.99)).is_due(START) == (True, 1.5)
    late, early = OnDemand(1.5, 8, nowfun=_at(1.49)).is_due(START), OnDemand(1.5, 8, nowfun=_at(1.3)).is_due(START)
    assert late.is_due is False and late.next >= 1.0  # past the full pace, nobody needs it: the next check
    assert early.is_due is False and early.next >= 0.1
