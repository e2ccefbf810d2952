"""The poll of central's GET /cp against a real local HTTP server playing central."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from central.models import CentralSyncState
from central.sync.poll import central_poll_once, charging_point_status_from_central
from central.tasks import poll_central
from chargingpoints.models import ChargingPoint, PointStatus
from notifications.models import BroadcastAlert, Notification
from sessions_app.models import ChargingSession
from sessions_app.status import SessionStatus
from tests.factories import ChargingPointFactory, ChargingSessionFactory
from tests.fakes.central_http import central_cp

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({}, "FREE"),
        ({"engine_state": "SUPPLYING"}, "OCCUPIED"),
        ({"current_driver": "driver-bob"}, "OCCUPIED"),
        ({"state": "DISCONNECTED", "engine_state": "SUPPLYING"}, "OFFLINE"),
        ({"state": "BROKEN"}, "OFFLINE"),
        ({"state": "TURNED_OFF_WEATHER"}, "OFFLINE"),
        ({"state": "ENCRYPTION_ERROR"}, "OFFLINE"),
        ({"state": "REVOKED"}, "OFFLINE"),
        ({"state": "OUT_OF_SERVICE"}, "OFFLINE"),
        ({"communication_status": "ENCRYPTION_ERROR", "current_driver": "driver-bob"}, "OFFLINE"),
    ],
)
def test_status_mapping_follows_the_protocol(overrides, expected):
    assert charging_point_status_from_central(central_cp("CP-001", **overrides)) == expected


def test_poll_updates_every_point_and_unreported_points_go_offline(cp, fake_central):
    other = ChargingPointFactory(cp_id="CP-002", status=PointStatus.FREE)
    before = ChargingPoint.objects.get(pk=cp.pk).status_changed_at
    fake_central.charging_points = [
        central_cp(
            "CP-001",
            engine_state="SUPPLYING",
            current_driver="driver-bob",
            current_session="session-00000001",
            telemetry={"kw": 22.0, "kwh": 0.5, "euros": 0.2, "session_id": "session-00000001"},
        ),
        central_cp("CP-UNKNOWN"),
    ]
    result = poll_central.delay().get()
    assert result["reachable"] is True and result["reported"] == 1 and result["offline"] == 1
    point = ChargingPoint.objects.get(pk=cp.pk)
    assert point.status == PointStatus.OCCUPIED
    assert (point.central_state, point.central_engine_state) == ("ON", "SUPPLYING")
    assert (point.central_driver_id, point.central_session_id) == ("driver-bob", "session-00000001")
    assert (point.telemetry_kw, point.telemetry_kwh, point.telemetry_eur) == (22.0, 0.5, 0.2)
    assert point.status_changed_at > before
    assert ChargingPoint.objects.get(pk=other.pk).status == PointStatus.OFFLINE
    assert CentralSyncState.load().last_success_at is not None


def test_status_changed_at_moves_only_when_the_status_does(cp, fake_central):
    fake_central.charging_points = [central_cp("CP-001")]
    central_poll_once()
    first = ChargingPoint.objects.get(pk=cp.pk)
    fake_central.charging_points = [central_cp("CP-001", engine_state="STOPPED")]
    central_poll_once()
    second = ChargingPoint.objects.get(pk=cp.pk)
    assert second.central_engine_state == "STOPPED"
    assert second.status_changed_at == first.status_changed_at
    assert second.last_updated > first.last_updated


def test_telemetry_feeds_the_matching_charging_session_and_never_goes_backwards(alice, cp, fake_central):
    session = ChargingSessionFactory(
        driver=alice, charging_point=cp, status=SessionStatus.CHARGING, session_id="session-00000002"
    )

    def poll(kwh, euros, session_id="session-00000002"):
        telemetry = {"kw": 22.0, "kwh": kwh, "euros": euros, "session_id": session_id}
        fake_central.charging_points = [
            central_cp(
                "CP-001",
                engine_state="SUPPLYING",
                current_driver="driver-alice",
                current_session="session-00000002",
                telemetry=telemetry,
            )
        ]
        central_poll_once()
        return ChargingSession.objects.get(pk=session.pk)

    assert (poll(0.5, 0.21).energy_kwh, poll(0.5, 0.21).cost_eur) == (Decimal("0.5000"), Decimal("0.2100"))
    assert poll(1.25, 0.53).energy_kwh == Decimal("1.2500")
    assert poll(0.9, 0.38).energy_kwh == Decimal("1.2500")  # a stale reading never lowers it
    assert poll(9.0, 3.78, session_id="session-other").energy_kwh == Decimal("1.2500")
    assert Notification.objects.filter(session=session).count() == 0  # no notification per tick


def test_central_unreachable_keeps_the_picture_and_alerts_drivers_once_per_outage(
    alice, cp, central_unreachable, settings
):
    settings.CENTRAL_OUTAGE_ALERT_AFTER_SECONDS = 10
    ChargingSessionFactory(driver=alice, charging_point=cp, status=SessionStatus.CHARGING, session_id="s-1")
    start = timezone.now()
    for seconds in (0, 5, 10, 15):
        assert central_poll_once(now=start + timedelta(seconds=seconds))["reachable"] is False
    state = CentralSyncState.load()
    assert state.unreachable_since is not None and "failed" in state.last_error
    assert ChargingPoint.objects.get(pk=cp.pk).status == PointStatus.FREE  # last picture kept
    alerts = Notification.objects.filter(driver=alice, type=Notification.Type.ALERT)
    assert list(alerts.values_list("message", flat=True)) == [
        "Central is unreachable: your session's status may be out of date"
    ]
    assert ChargingSession.objects.get(session_id="s-1").status == SessionStatus.CHARGING


def test_central_back_clears_the_outage_and_alerts_once(alice, cp, fake_central, settings):
    settings.CENTRAL_OUTAGE_ALERT_AFTER_SECONDS = 10
    session = ChargingSessionFactory(driver=alice, charging_point=cp, status=SessionStatus.PENDING)
    start = timezone.now()
    fake_central.fail_cp_with = 503
    central_poll_once(now=start)
    central_poll_once(now=start + timedelta(seconds=10))
    fake_central.fail_cp_with = None
    fake_central.charging_points = [central_cp("CP-001")]
    central_poll_once(now=start + timedelta(seconds=11))
    central_poll_once(now=start + timedelta(seconds=12))
    assert CentralSyncState.load().unreachable_since is None
    messages = list(Notification.objects.filter(session=session).order_by("id").values_list("message", flat=True))
    assert messages == [
        "Central is unreachable: your session's status may be out of date",
        "Central is reachable again: session updates resume",
    ]


def test_points_not_seen_for_cp_stale_after_go_offline_while_central_is_unreachable(cp, central_unreachable, settings):
    settings.CP_STALE_AFTER = 30
    ChargingPoint.objects.filter(pk=cp.pk).update(last_updated=timezone.now() - timedelta(seconds=31))
    central_poll_once()
    assert ChargingPoint.objects.get(pk=cp.pk).status == PointStatus.OFFLINE


def test_system_events_become_broadcast_alerts_once(cp, fake_central):
    fake_central.charging_points = [central_cp("CP-001")]
    fake_central.system_events = [
        {
            "timestamp": "2026-11-23T21:00:00Z",
            "type": "FAILURE",
            "component": "CP-001",
            "message": "CP-001 faulted",
            "severity": "ERROR",
        },
        {
            "timestamp": "2026-11-23T21:01:00Z",
            "type": "SECURITY_ALERT",
            "component": "central",
            "message": "Key revoked",
            "severity": "ERROR",
        },
        {
            "timestamp": "2026-11-23T21:02:00Z",
            "type": "RESTORATION",
            "component": "CP-001",
            "message": "CP-001 restored",
            "severity": "SUCCESS",
        },
        {"timestamp": "2026-11-23T21:03:00Z", "type": "INITIALIZATION", "component": "central", "message": "up"},
    ]
    central_poll_once()
    central_poll_once()
    alerts = {a.title: a for a in BroadcastAlert.objects.all()}
    assert set(alerts) == {"Failure: CP-001", "Security alert: central", "Restored: CP-001"}
    assert alerts["Failure: CP-001"].severity == BroadcastAlert.Severity.CRITICAL
    assert alerts["Restored: CP-001"].severity == BroadcastAlert.Severity.INFO
    assert list(alerts["Failure: CP-001"].charging_points.values_list("cp_id", flat=True)) == ["CP-001"]
    assert alerts["Security alert: central"].charging_points.count() == 0
    assert alerts["Failure: CP-001"].source == BroadcastAlert.Source.CENTRAL


def test_pending_request_gets_one_alert_per_offline_spell(alice, cp, fake_central):
    session = ChargingSessionFactory(driver=alice, charging_point=cp, status=SessionStatus.PENDING)

    def poll(state):
        fake_central.charging_points = [central_cp("CP-001", state=state)]
        central_poll_once()

    poll("DISCONNECTED")
    poll("DISCONNECTED")
    poll("ON")
    poll("BROKEN")
    poll("BROKEN")
    alerts = Notification.objects.filter(session=session, type=Notification.Type.ALERT)
    assert alerts.count() == 2
    assert alerts.first().message == "CP-001 (Downtown Fast Charger) went offline while your request is pending"


def test_absurd_telemetry_is_ignored_and_does_not_break_the_poll(alice, cp, fake_central):
    session = ChargingSessionFactory(
        driver=alice, charging_point=cp, status=SessionStatus.CHARGING, session_id="session-00000003"
    )
    ChargingSession.objects.filter(pk=session.pk).update(energy_kwh=Decimal("1.5"))
    other = ChargingPointFactory(cp_id="CP-002", status=PointStatus.OFFLINE)
    fake_central.charging_points = [
        central_cp(
            "CP-001",
            engine_state="SUPPLYING",
            current_driver="driver-alice",
            current_session="session-00000003",
            # More than a numeric(12, 4) column holds: a broken meter must not stop every other update.
            telemetry={"kw": 22.0, "kwh": 1e9, "euros": 4e8, "session_id": "session-00000003"},
        ),
        central_cp("CP-002"),
    ]
    result = central_poll_once()
    assert result["reachable"] is True
    assert ChargingPoint.objects.get(pk=other.pk).status == PointStatus.FREE
    assert ChargingSession.objects.get(pk=session.pk).energy_kwh == Decimal("1.5000")
    assert CentralSyncState.load().last_success_at is not None


def test_the_same_picture_polled_twice_writes_nothing_the_second_time(alice, cp, fake_central):
    ChargingSessionFactory(driver=alice, charging_point=cp, status=SessionStatus.PENDING)
    fake_central.charging_points = [central_cp("CP-001", state="DISCONNECTED")]
    central_poll_once()
    first = ChargingPoint.objects.get(pk=cp.pk)
    notifications = Notification.objects.count()

    second_run = central_poll_once()

    second = ChargingPoint.objects.get(pk=cp.pk)
    assert second_run["changed"] == 0 and second_run["offline_alerts"] == 0
    assert (second.status, second.status_changed_at, second.updated_at) == (
        PointStatus.OFFLINE,
        first.status_changed_at,
        first.updated_at,
    )
    assert Notification.objects.count() == notifications == 1


def test_central_flapping_alerts_each_driver_at_most_once_each_way(alice, bob, cp, fake_central, settings):
    settings.CENTRAL_OUTAGE_ALERT_AFTER_SECONDS = 10
    ChargingSessionFactory(driver=alice, charging_point=cp, status=SessionStatus.CHARGING, session_id="s-alice")
    ChargingSessionFactory(
        driver=bob, charging_point=ChargingPointFactory(cp_id="CP-002"), status=SessionStatus.PENDING
    )
    fake_central.charging_points = [
        central_cp("CP-001", engine_state="SUPPLYING", current_driver="driver-alice", current_session="s-alice"),
        central_cp("CP-002"),
    ]
    start = timezone.now()

    def poll(at: float, *, up: bool) -> None:
        fake_central.fail_cp_with = None if up else 503
        central_poll_once(now=start + timedelta(seconds=at))

    # Unreachable / reachable 6 times in 5 s: no outage lasts long enough to tell anyone.
    poll(0, up=True)
    for i in range(6):
        poll(0.4 + i * 0.8, up=False)
        poll(0.8 + i * 0.8, up=True)
    assert not Notification.objects.filter(type=Notification.Type.ALERT).exists()
    # One real outage, then central flapping again as it comes back.
    for at in (6, 9, 12, 15, 18):
        poll(at, up=False)
    for i in range(6):
        poll(19 + i * 0.8, up=True)
        poll(19.4 + i * 0.8, up=False)
    poll(24, up=True)

    for driver in (alice, bob):
        messages = list(
            Notification.objects.filter(driver=driver, type=Notification.Type.ALERT)
            .order_by("id")
            .values_list("message", flat=True)
        )
        assert messages == [
            "Central is unreachable: your session's status may be out of date",
            "Central is reachable again: session updates resume",
        ]


def test_a_driver_not_told_of_the_outage_is_not_told_it_ended(alice, bob, cp, fake_central, settings):
    settings.CENTRAL_OUTAGE_ALERT_AFTER_SECONDS = 10
    ChargingSessionFactory(driver=alice, charging_point=cp, status=SessionStatus.PENDING)
    fake_central.charging_points = [central_cp("CP-001"), central_cp("CP-002")]
    start = timezone.now()
    fake_central.fail_cp_with = 503
    central_poll_once(now=start)
    central_poll_once(now=start + timedelta(seconds=11))
    # Bob asks to charge while central is away.
    ChargingSessionFactory(
        driver=bob, charging_point=ChargingPointFactory(cp_id="CP-002"), status=SessionStatus.PENDING
    )
    fake_central.fail_cp_with = None
    central_poll_once(now=start + timedelta(seconds=12))

    assert list(Notification.objects.filter(driver=alice).order_by("id").values_list("message", flat=True)) == [
        "Central is unreachable: your session's status may be out of date",
        "Central is reachable again: session updates resume",
    ]
    assert not Notification.objects.filter(driver=bob).exists()
