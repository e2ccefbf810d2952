"""Two claims of the same watches at once, each in its own transaction on PostgreSQL (real threads, own
connections): the second waits for the first's row lock and then claims nothing, so a watch fires once."""

import threading

import pytest
from django.db import connection, transaction

from chargingpoints.models import ChargingPoint, PointStatus
from drivers.models import Watch
from drivers.services import watch_start, watches_claim_free_points
from tests.factories import ChargingPointFactory, DriverFactory
from tests.waiting import wait_for

pytestmark = pytest.mark.django_db(transaction=True)


def _waiting_on_a_lock() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0]


def test_a_claim_racing_another_gets_nothing():
    point = ChargingPointFactory(cp_id="CP-003", status=PointStatus.OCCUPIED)
    watch, _ = watch_start(driver=DriverFactory(), cp_id="CP-003")
    ChargingPoint.objects.filter(pk=point.pk).update(status=PointStatus.FREE)
    first_claimed, may_commit = threading.Event(), threading.Event()
    results: dict = {}

    def first():
        try:
            with transaction.atomic():
                results["first"] = watches_claim_free_points()
                first_claimed.set()
                may_commit.wait(timeout=10)
        finally:
            connection.close()

    def second():
        try:
            with transaction.atomic():
                results["second"] = watches_claim_free_points()
        finally:
            connection.close()

    one = threading.Thread(target=first)
    one.start()
    assert first_claimed.wait(timeout=10)
    two = threading.Thread(target=second)
    two.start()
    # The second claim read the watch as active (the first has not committed) and now waits on its lock.
    wait_for(_waiting_on_a_lock, 10.0, "the second claim to wait for the first's lock", interval=0.02)
    may_commit.set()
    one.join(timeout=10)
    two.join(timeout=10)

    assert [w.pk for w in results["first"]] == [watch.pk]
    assert results["second"] == []
    assert Watch.objects.get(pk=watch.pk).end_reason == Watch.EndReason.FREE
