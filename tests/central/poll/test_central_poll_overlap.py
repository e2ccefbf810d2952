"""Polls of central that overlap: real threads, each with its own database connection, against the
fake central HTTP server answering slowly (the worker runs 4 threads; a poll may outlive its interval)."""

import threading
import time

import pytest
from django.db import connection

from central.sync.poll import central_poll_once
from chargingpoints.models import ChargingPoint, PointStatus
from notifications.models import Notification
from sessions_app.status import SessionStatus
from tests.factories import ChargingPointFactory, ChargingSessionFactory, DriverFactory, UserFactory
from tests.fakes.central_http import central_cp
from tests.waiting import wait_for

pytestmark = pytest.mark.django_db(transaction=True)


def _poll_in_thread(results: list, barrier: threading.Barrier | None = None) -> threading.Thread:
    def run():
        try:
            if barrier:
                barrier.wait(timeout=5)
            results.append(central_poll_once())
        except Exception as exc:  # the assertion below shows it
            results.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def test_two_polls_started_together_one_applies_and_the_other_skips(fake_central):
    point = ChargingPointFactory(cp_id="CP-001", status=PointStatus.FREE)
    fake_central.charging_points = [central_cp("CP-001", engine_state="SUPPLYING", current_driver="driver-bob")]
    fake_central.cp_delay = 0.5
    results: list = []
    barrier = threading.Barrier(2)

    threads = [_poll_in_thread(results, barrier) for _ in range(2)]
    for thread in threads:
        thread.join(timeout=10)

    assert not any(isinstance(result, Exception) for result in results), results
    applied = [result for result in results if result.get("reachable")]
    skipped = [result for result in results if result.get("skipped")]
    assert (len(applied), len(skipped)) == (1, 1), results
    assert skipped[0]["reason"] == "another poll is running"
    assert fake_central.cp_calls == 1  # the skipped poll did not even ask central
    assert ChargingPoint.objects.get(pk=point.pk).status == PointStatus.OCCUPIED


def test_an_older_picture_is_never_applied_over_a_newer_one(fake_central, settings):
    # A poll that outlives its lease (central answering slower than ever expected) lets the next one
    # start; whichever finishes last, the picture fetched last wins.
    settings.CENTRAL_POLL_LEASE_SECONDS = 0.2
    alice = DriverFactory(user=UserFactory(username="alice"), driver_id="driver-alice")
    point = ChargingPointFactory(cp_id="CP-001", status=PointStatus.FREE)
    request = ChargingSessionFactory(driver=alice, charging_point=point, status=SessionStatus.PENDING)
    fake_central.charging_points = [central_cp("CP-001")]
    central_poll_once()
    changed_at = ChargingPoint.objects.get(pk=point.pk).status_changed_at

    fake_central.charging_points = [central_cp("CP-001", state="DISCONNECTED")]
    fake_central.cp_delay = 1.0
    results: list = []
    older = _poll_in_thread(results)
    wait_for(lambda: fake_central.cp_calls == 2, timeout=5, what="the older poll's request")
    fake_central.charging_points = [central_cp("CP-001", engine_state="STOPPED")]
    fake_central.cp_delay = 0.0
    time.sleep(0.3)  # the older poll's lease has run out
    newer = central_poll_once()
    older.join(timeout=10)

    assert newer["reachable"] is True
    assert results == [{"skipped": True, "reason": "a newer picture was already applied"}]
    stored = ChargingPoint.objects.get(pk=point.pk)
    assert (stored.status, stored.central_state, stored.central_engine_state) == (PointStatus.FREE, "ON", "STOPPED")
    assert stored.status_changed_at == changed_at
    assert not Notification.objects.filter(session=request).exists()
