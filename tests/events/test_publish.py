"""Publishing live events (events.publish): only after commit, never failing the write when Redis is away."""

import logging

import pytest
from django.db import transaction

from drivers.models import Driver
from events.publish import Event, events_publish_on_commit, publisher

pytestmark = pytest.mark.django_db


def test_an_event_is_published_after_the_commit_only(published, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        events_publish_on_commit(lambda: [Event("notification", {"n": 1}, "driver-alice")])
        assert published() == []  # not before the commit

    assert published() == [("notification", "driver-alice", {"n": 1})]


def test_nothing_is_published_when_the_transaction_rolls_back(published, django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        events_publish_on_commit(lambda: [Event("alert", {"n": 1})])
        raise RuntimeError("rolled back")

    assert callbacks == []
    assert published() == []


def test_events_of_one_build_go_in_order_with_increasing_ids(published, settings, django_capture_on_commit_callbacks):
    import redis

    with django_capture_on_commit_callbacks(execute=True):
        events_publish_on_commit(lambda: [Event("point", {"cp_id": f"CP-{n}"}) for n in range(3)])

    ids = [entry_id for entry_id, _ in redis.Redis.from_url(settings.EVENTS_REDIS_URL).xrange(settings.EVENTS_STREAM)]
    assert [data["cp_id"] for _, _, data in published()] == ["CP-0", "CP-1", "CP-2"]
    assert ids == sorted(ids, key=lambda i: tuple(map(int, i.split(b"-")))) and len(set(ids)) == 3


def test_the_stream_is_capped(published, settings, django_capture_on_commit_callbacks):
    settings.EVENTS_STREAM_MAXLEN = 10
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(500):
            events_publish_on_commit(lambda n=n: [Event("point", {"n": n})])

    kept = published()
    # MAXLEN ~ trims whole nodes: about the cap is kept (never everything), the newest always.
    assert len(kept) < 500
    assert kept[-1][2] == {"n": 499}


def test_unreachable_redis_logs_one_warning_and_never_raises(settings, caplog, django_capture_on_commit_callbacks):
    from tests.factories import DriverFactory

    settings.EVENTS_REDIS_URL = "redis://127.0.0.1:1/9"  # nothing listens on port 1
    publisher.reset()
    try:
        with caplog.at_level(logging.WARNING, logger="events.publish"):
            for _ in range(3):
                with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
                    driver = DriverFactory()
                    events_publish_on_commit(lambda driver=driver: [Event("session", None, driver.driver_id)])
    finally:
        publisher.reset()

    assert len({d.driver_id for d in Driver.objects.all()}) == 3
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "Redis at redis://127.0.0.1:1/9 is unreachable" in warnings[0]
    assert "pages fall back to polling" in warnings[0]
