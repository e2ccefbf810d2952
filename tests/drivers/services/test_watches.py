"""The watch services' claims: each watch fires once."""

from datetime import timedelta

import pytest
from django.utils import timezone

from chargingpoints.models import ChargingPoint, PointStatus
from drivers.services import watch_start, watches_claim_free_points
from notifications.models import Notification
from notifications.services import notification_point_free_for_watcher
from tests.factories import ChargingPointFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def busy(db):
    return ChargingPointFactory(cp_id="CP-003", status=PointStatus.OCCUPIED)


def test_a_watch_is_claimed_once(alice, bob, busy):
    watch_start(driver=alice, cp_id="CP-003")
    watch_start(driver=bob, cp_id="CP-003")
    ChargingPoint.objects.filter(pk=busy.pk).update(status=PointStatus.FREE)

    first = watches_claim_free_points()
    second = watches_claim_free_points()

    assert sorted(w.driver.driver_id for w in first) == ["driver-alice", "driver-bob"]
    assert second == []


def test_the_notification_is_sent_once_per_watch(alice, busy):
    watch, _ = watch_start(driver=alice, cp_id="CP-003")

    first, created = notification_point_free_for_watcher(watch=watch)
    again, created_again = notification_point_free_for_watcher(watch=watch)

    assert (created, created_again, first.pk) == (True, False, again.pk)
    assert Notification.objects.filter(driver=alice, type="ALERT").count() == 1


def test_an_expired_watch_is_not_claimed(alice, busy, settings):
    settings.WATCH_EXPIRY_SECONDS = 10
    watch_start(driver=alice, cp_id="CP-003", now=timezone.now() - timedelta(seconds=11))
    ChargingPoint.objects.filter(pk=busy.pk).update(status=PointStatus.FREE)

    assert watches_claim_free_points() == []
