"""The poll of central and "tell me when it's free": a watched point turning FREE tells each watcher once."""

from datetime import timedelta

import pytest
from django.utils import timezone

from central.sync.poll import central_poll_once
from central.sync.watches import watchers_notify_free_points
from chargingpoints.models import ChargingPoint, PointStatus
from drivers.models import Watch
from drivers.services import watch_start, watch_stop
from notifications.models import Notification
from sessions_app.services.lifecycle import session_cancel, session_request
from tests.factories import ChargingPointFactory, DriverFactory
from tests.fakes.central_http import central_cp

pytestmark = pytest.mark.django_db

BUSY = {"engine_state": "SUPPLYING", "current_driver": "driver-zed", "current_session": "s-zed"}


@pytest.fixture
def mall(db):
    return ChargingPointFactory(cp_id="CP-003", name="Mall Charger", status=PointStatus.OCCUPIED)


def test_each_watcher_gets_one_alert_and_the_watch_ends(alice, bob, mall, fake_central):
    carol = DriverFactory()
    for driver in (alice, bob):
        watch_start(driver=driver, cp_id="CP-003")
    fake_central.charging_points = [central_cp("CP-003", **BUSY)]
    assert central_poll_once()["watchers_notified"] == 0
    assert not Notification.objects.exists()

    fake_central.charging_points = [central_cp("CP-003")]
    result = central_poll_once()

    assert result["watchers_notified"] == 2
    notes = Notification.objects.order_by("driver__driver_id")
    assert [(n.driver, n.type, n.message) for n in notes] == [
        (driver, "ALERT", "CP-003 (Mall Charger) is free now: request a charge before someone else does")
        for driver in (alice, bob)
    ]
    assert not Notification.objects.filter(driver=carol).exists()
    assert set(Watch.objects.values_list("end_reason", flat=True)) == {Watch.EndReason.FREE}
    assert Watch.objects.filter(ended_at__isnull=True).count() == 0


def test_a_replayed_poll_changes_nothing(alice, mall, fake_central):
    watch, _ = watch_start(driver=alice, cp_id="CP-003")
    fake_central.charging_points = [central_cp("CP-003")]
    central_poll_once()
    ended = Watch.objects.get(pk=watch.pk)

    again = central_poll_once()

    assert again["watchers_notified"] == 0
    assert Notification.objects.filter(driver=alice).count() == 1
    assert Watch.objects.get(pk=watch.pk).ended_at == ended.ended_at


def test_the_point_busy_again_and_free_again_tells_only_a_new_watch(alice, mall, fake_central):
    watch_start(driver=alice, cp_id="CP-003")
    fake_central.charging_points = [central_cp("CP-003")]
    central_poll_once()
    fake_central.charging_points = [central_cp("CP-003", **BUSY)]
    central_poll_once()
    assert central_poll_once()["watchers_notified"] == 0

    watch_start(driver=alice, cp_id="CP-003")
    fake_central.charging_points = [central_cp("CP-003")]

    assert central_poll_once()["watchers_notified"] == 1
    assert Notification.objects.filter(driver=alice).count() == 2


def test_an_expired_watch_never_fires(alice, mall, fake_central, settings):
    settings.WATCH_EXPIRY_SECONDS = 60
    watch, _ = watch_start(driver=alice, cp_id="CP-003", now=timezone.now() - timedelta(seconds=61))
    fake_central.charging_points = [central_cp("CP-003")]

    assert central_poll_once()["watchers_notified"] == 0

    assert not Notification.objects.exists()
    assert Watch.objects.get(pk=watch.pk).ended_at is None  # not listed, not fired; replaced on the next watch


def test_a_watch_runs_out_exactly_at_its_expiry(alice, mall, fake_central, settings):
    settings.WATCH_EXPIRY_SECONDS = 60
    watch, _ = watch_start(driver=alice, cp_id="CP-003")
    fake_central.charging_points = [central_cp("CP-003")]

    assert central_poll_once(now=watch.expires_at)["watchers_notified"] == 0
    assert not Notification.objects.exists()


def test_a_removed_watch_never_fires(alice, mall, fake_central):
    watch_start(driver=alice, cp_id="CP-003")
    watch_stop(driver=alice, cp_id="CP-003")
    fake_central.charging_points = [central_cp("CP-003")]

    assert central_poll_once()["watchers_notified"] == 0
    assert not Notification.objects.exists()


def test_a_point_going_offline_does_not_fire(alice, mall, fake_central):
    watch_start(driver=alice, cp_id="CP-003")
    fake_central.charging_points = [central_cp("CP-003", state="BROKEN")]

    assert central_poll_once()["watchers_notified"] == 0
    assert Watch.objects.get(driver=alice).ended_at is None


def test_an_offline_point_coming_back_free_fires(alice, fake_central):
    ChargingPointFactory(cp_id="CP-006", status=PointStatus.OFFLINE)
    watch_start(driver=alice, cp_id="CP-006")
    fake_central.charging_points = [central_cp("CP-006")]

    assert central_poll_once()["watchers_notified"] == 1
    assert Notification.objects.get(driver=alice).message.startswith("CP-006 ")


def test_central_unreachable_fires_nothing(alice, mall, central_unreachable):
    watch_start(driver=alice, cp_id="CP-003")

    assert central_poll_once()["reachable"] is False
    assert Watch.objects.get(driver=alice).ended_at is None
    assert not Notification.objects.exists()


def test_a_point_with_drivers_queued_is_not_free_for_a_watcher_until_nobody_waits(db):
    point = ChargingPointFactory(cp_id="CP-W", status=PointStatus.OCCUPIED)
    watcher, queued = DriverFactory(), DriverFactory()
    watch_start(driver=watcher, cp_id="CP-W")
    waiting = session_request(driver=queued, cp_id="CP-W", vehicle_id="v")
    ChargingPoint.objects.filter(pk=point.pk).update(status=PointStatus.FREE)

    assert watchers_notify_free_points() == 0  # the head of the queue takes it, not the watcher
    session_cancel(driver=queued, request_id=waiting.request_id)
    assert watchers_notify_free_points() == 1
