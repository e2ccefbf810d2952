"""discovery.waits's cache of typical session lengths: cached while the history stays the same, void on the next
read after any write that changes it (a session ends, a ticket corrects one, one is deleted), and the live part of
the list (status, queue) never cached."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from chargingpoints.models import PointStatus
from discovery import waits
from discovery.waits import HISTORY_VERSION_KEY, history_changed, typical_minutes
from sessions_app.models import SessionTransition
from sessions_app.services.lifecycle import session_request
from sessions_app.services.records import session_record_final_figures
from sessions_app.services.transitions import session_transition
from sessions_app.status import SessionStatus
from tests.discovery.test_waits import history
from tests.factories import ChargingPointFactory, ChargingSessionFactory, DriverFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def point(settings):
    settings.WAIT_MIN_HISTORY = 3
    settings.WAIT_CACHE_SECONDS = 600
    point = ChargingPointFactory(power_kw=50)
    history(point, 20, 40, 60)  # median 40
    return point


def charging_session(point, minutes_ago):
    return ChargingSessionFactory(
        charging_point=point,
        status=SessionStatus.CHARGING,
        session_id=f"session-{point.cp_id}-{minutes_ago}",
        started_at=timezone.now() - timedelta(minutes=minutes_ago),
    )


def test_an_unchanged_history_is_read_from_the_cache_without_a_query(point, django_assert_num_queries):
    assert typical_minutes([point]) == {point.pk: 40}
    with django_assert_num_queries(0):
        assert typical_minutes([point]) == {point.pk: 40}


def test_a_session_that_ends_is_in_the_next_estimate(point):
    assert typical_minutes([point]) == {point.pk: 40}
    running = charging_session(point, minutes_ago=100)
    assert typical_minutes([point]) == {point.pk: 40}  # a charge that runs is not history

    _, changed = session_transition(
        session=running.pk, to_status=SessionStatus.COMPLETED, source=SessionTransition.Source.CENTRAL
    )

    assert changed
    assert typical_minutes([point]) == {point.pk: 50}  # 20, 40, 60, 100 → 50


def test_a_ticket_correcting_a_finished_session_is_in_the_next_estimate(point):
    assert typical_minutes([point]) == {point.pk: 40}
    last = point.sessions.order_by("-completed_at").first()  # the 60-minute one

    figures = {
        "energy_kwh": 5,
        "cost_eur": 2,
        "started_at": last.completed_at - timedelta(minutes=10),
        "completed_at": last.completed_at,
    }
    assert session_record_final_figures(last, figures)

    assert typical_minutes([point]) == {point.pk: 20}  # 20, 40, 10 → 20


def test_a_deleted_session_is_out_of_the_next_estimate(point):
    assert typical_minutes([point]) == {point.pk: 40}
    history(point, 100, days_ago=2)  # an older fourth session: 100, 20, 40, 60 → 50
    assert typical_minutes([point]) == {point.pk: 50}

    point.sessions.order_by("completed_at").first().delete()

    assert typical_minutes([point]) == {point.pk: 40}


def test_saving_an_open_session_keeps_the_cache(point, django_assert_num_queries):
    typical_minutes([point])
    running = charging_session(point, minutes_ago=5)
    running.energy_kwh = 3
    running.save()
    with django_assert_num_queries(0):
        assert typical_minutes([point]) == {point.pk: 40}


def test_the_version_moves_again_after_commit(point, django_capture_on_commit_callbacks):
    """A reader in another process may recompute between the write and its commit (from the old history): what it
    caches is under the version of before the commit, which nobody reads after it."""
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        history_changed()
        during = cache.get(HISTORY_VERSION_KEY)
    for callback in callbacks:
        callback()
    assert cache.get(HISTORY_VERSION_KEY) not in (None, during)


def test_status_and_queue_stay_live_on_the_next_read(alice_client, settings):
    """The list's live part is never cached: a point taken and a driver queued show on the very next read."""
    settings.WAIT_CACHE_SECONDS = 600
    settings.DEFAULT_SESSION_MINUTES = 30
    point = ChargingPointFactory(cp_id="CP-LIVE", power_kw=7, status=PointStatus.FREE)
    first = alice_client.get("/charging-points").json()
    assert [(p["cp_id"], p["status"], p["queue_length"], p["estimated_wait_minutes"]) for p in first] == [
        ("CP-LIVE", "FREE", 0, 0)
    ]

    point.status = PointStatus.OCCUPIED
    point.save()
    charging_session(point, minutes_ago=10)
    session_request(driver=DriverFactory(), cp_id="CP-LIVE", vehicle_id="vehicle-1")

    (after,) = alice_client.get("/charging-points").json()
    # The charge running for 10 of its typical 30 minutes, then one typical session for the driver waiting.
    assert (after["status"], after["queue_length"], after["estimated_wait_minutes"]) == ("OCCUPIED", 1, 50)


def test_without_the_cache_every_read_computes(point, settings, django_assert_num_queries):
    settings.WAIT_CACHE_SECONDS = 0
    typical_minutes([point])
    with django_assert_num_queries(1):  # the point's own history (enough of it: no power-class query)
        assert typical_minutes([point]) == {point.pk: 40}


def test_a_cache_that_fails_costs_the_history_queries_not_the_answer(point, monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise ConnectionError("cache down")

    for method in ("get", "add", "get_many", "set_many"):
        monkeypatch.setattr(waits.cache, method, broken)
    assert typical_minutes([point]) == {point.pk: 40}
    assert "wait cache get failed" in caplog.text
