"""GET /drivers/{driver_id}/alerts."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from notifications.models import BroadcastAlert
from sessions_app.status import SessionStatus
from tests.factories import BroadcastAlertFactory, ChargingPointFactory, ChargingSessionFactory, FavoriteFactory

URL = "/drivers/driver-alice/alerts"


def alert_ids(response) -> list[str]:
    return [alert["alert_id"] for alert in response.json()]


def test_alert_for_everyone_has_exactly_the_documented_fields(alice, alice_client):
    now = timezone.now()
    BroadcastAlertFactory(
        alert_id="alert-123",
        title="Scheduled Maintenance",
        message="CP-001 and CP-002 will be offline from 2am-4am",
        severity=BroadcastAlert.Severity.INFO,
        effective_at=datetime(2025, 10, 26, 2, tzinfo=UTC),
        expires_at=now + timedelta(days=1),
    )

    response = alice_client.get(URL)

    assert response.status_code == 200
    assert response.json() == [
        {
            "alert_id": "alert-123",
            "title": "Scheduled Maintenance",
            "message": "CP-001 and CP-002 will be offline from 2am-4am",
            "severity": "INFO",
            "effective_at": "2025-10-26T02:00:00Z",
            "expires_at": (now + timedelta(days=1)).isoformat().replace("+00:00", "Z"),
        }
    ]


def test_only_alerts_in_force_now(alice, alice_client):
    now = timezone.now()
    BroadcastAlertFactory(alert_id="alert-open-ended", effective_at=now - timedelta(hours=1), expires_at=None)
    BroadcastAlertFactory(alert_id="alert-future", effective_at=now + timedelta(hours=1))
    BroadcastAlertFactory(
        alert_id="alert-expired", effective_at=now - timedelta(hours=2), expires_at=now - timedelta(seconds=1)
    )

    body = alice_client.get(URL).json()

    assert [a["alert_id"] for a in body] == ["alert-open-ended"]
    assert body[0]["expires_at"] is None


@pytest.fixture
def places(alice):
    """Alice's favorite is in Springfield; Boston and Madrid points are not hers."""
    springfield = ChargingPointFactory(cp_id="CP-SPR", city="Springfield")
    boston = ChargingPointFactory(cp_id="CP-BOS", city="Boston")
    madrid = ChargingPointFactory(cp_id="CP-MAD", city="Madrid")
    other_springfield = ChargingPointFactory(cp_id="CP-SPR2", city="Springfield")
    FavoriteFactory(driver=alice, charging_point=springfield)
    return {"springfield": springfield, "boston": boston, "madrid": madrid, "other_springfield": other_springfield}


def _scoped_alert(alert_id: str, minutes_ago: int, points=(), cities=()) -> BroadcastAlert:
    alert = BroadcastAlertFactory(
        alert_id=alert_id, effective_at=timezone.now() - timedelta(minutes=minutes_ago), cities=list(cities)
    )
    alert.charging_points.set(points)
    return alert


def test_scoped_alerts_concern_favorites_their_cities_and_the_open_session(alice, alice_client, places):
    _scoped_alert("alert-favorite-point", 1, points=[places["springfield"]])
    _scoped_alert("alert-favorite-city", 2, cities=["springfield"])
    _scoped_alert("alert-other-point-same-city", 3, points=[places["other_springfield"]])
    _scoped_alert("alert-boston-point", 4, points=[places["boston"]])
    _scoped_alert("alert-madrid-city", 5, cities=["Madrid"])
    _scoped_alert("alert-everyone", 6)

    assert alert_ids(alice_client.get(URL)) == ["alert-favorite-point", "alert-favorite-city", "alert-everyone"]

    ChargingSessionFactory(driver=alice, charging_point=places["madrid"], status=SessionStatus.CHARGING)

    assert alert_ids(alice_client.get(URL)) == [
        "alert-favorite-point",
        "alert-favorite-city",
        "alert-madrid-city",
        "alert-everyone",
    ]


def test_the_point_of_a_finished_session_does_not_count(alice, alice_client, places):
    _scoped_alert("alert-boston-point", 1, points=[places["boston"]])
    ChargingSessionFactory(driver=alice, charging_point=places["boston"], status=SessionStatus.COMPLETED)

    assert alert_ids(alice_client.get(URL)) == []


def test_alerts_of_bobs_places_do_not_reach_alice(alice, bob, alice_client, bob_client, places):
    FavoriteFactory(driver=bob, charging_point=places["boston"])
    _scoped_alert("alert-boston-point", 1, points=[places["boston"]])

    assert alert_ids(alice_client.get(URL)) == []
    assert alert_ids(bob_client.get("/drivers/driver-bob/alerts")) == ["alert-boston-point"]
    assert bob_client.get(URL).json() == {"detail": "Driver not found"}


def test_alert_query_count_does_not_grow(alice, alice_client, places, django_assert_num_queries):
    for index in range(8):
        _scoped_alert(f"alert-{index}", index + 1, points=[places["springfield"], places["boston"]])

    # Token with user and driver (one query), favorites, open session, alerts, their points.
    with django_assert_num_queries(5):
        assert len(alice_client.get(URL).json()) == 8
