from config.periodic import periodic_jobs


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
    assert jobs["poll-central"]["schedule"] == settings.CENTRAL_POLL_INTERVAL


def test_the_drain_task_is_left_out_where_a_dedicated_consumer_runs(settings):
    settings.CENTRAL_EVENTS_DRAIN_TASK = False
    assert "drain-central-events" not in periodic_jobs()


def test_every_job_names_a_registered_task():
    from config.celery import app

    app.loader.import_default_modules()
    for job in periodic_jobs().values():
        assert job["task"] in app.tasks
