"""GET /drivers/{driver_id}/queue: the driver's own place and wait on a point's waiting list."""

from datetime import timedelta

import pytest
from django.utils import timezone

from chargingpoints.models import PointStatus
from sessions_app.services.lifecycle import session_request
from sessions_app.status import SessionStatus
from tests.factories import ChargingPointFactory, ChargingSessionFactory, DriverFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def busy(db, settings):
    settings.DEFAULT_SESSION_MINUTES = 30
    point = ChargingPointFactory(cp_id="CP-Q", status=PointStatus.OCCUPIED, power_kw=22)
    ChargingSessionFactory(
        charging_point=point, status=SessionStatus.CHARGING, started_at=timezone.now() - timedelta(minutes=10)
    )
    return point


def test_the_driver_sees_their_place_and_own_wait(alice, alice_client, busy):
    session_request(driver=DriverFactory(), cp_id="CP-Q", vehicle_id="v")  # someone ahead
    mine = session_request(driver=alice, cp_id="CP-Q", vehicle_id="v")

    body = alice_client.get("/drivers/driver-alice/queue").json()

    # 30 − 10 minutes left of the session charging now, plus one typical session for the driver ahead.
    assert body == {
        "cp_id": "CP-Q",
        "request_id": mine.request_id,
        "queue_position": 2,
        "queue_length": 2,
        "estimated_wait_minutes": 50,
    }


def test_null_when_not_waiting_and_another_drivers_place_is_a_404(alice, alice_client, bob_client, busy):
    response = alice_client.get("/drivers/driver-alice/queue")
    assert (response.status_code, response.content) == (200, b"null")
    session_request(driver=alice, cp_id="CP-Q", vehicle_id="v")
    assert bob_client.get("/drivers/driver-alice/queue").status_code == 404
