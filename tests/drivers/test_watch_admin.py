"""Operators follow drivers' watches in the admin: list, filters by state, read-only pages."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from chargingpoints.models import PointStatus
from drivers.models import Watch
from tests.factories import ChargingPointFactory, DriverFactory

pytestmark = pytest.mark.django_db
CHANGELIST = reverse("admin:drivers_watch_changelist")


@pytest.fixture
def operator_client(client):
    user = get_user_model().objects.create_superuser("operator", "op@example.com", "operator-pass-1")
    client.force_login(user)
    return client


@pytest.fixture
def watches():
    now = timezone.now()
    hour = timedelta(hours=1)
    point = ChargingPointFactory(cp_id="CP-003", status=PointStatus.OCCUPIED)
    made = {}
    for name, ended, reason, expires in [
        ("active", None, "", now + hour),
        ("free", now, Watch.EndReason.FREE, now + hour),
        ("cancelled", now, Watch.EndReason.CANCELLED, now + hour),
        ("expired", None, "", now - timedelta(seconds=1)),
    ]:
        made[name] = Watch.objects.create(
            driver=DriverFactory(driver_id=f"driver-{name}"),
            charging_point=point,
            created_at=now - 2 * hour,
            expires_at=expires,
            ended_at=ended,
            end_reason=reason,
        )
    return made


def _drivers_listed(response) -> set[str]:
    page = response.content.decode()
    return {name for name in ("active", "free", "cancelled", "expired") if f"driver-{name}" in page}


def test_the_list_shows_every_watch_with_its_state(operator_client, watches):
    response = operator_client.get(CHANGELIST)

    assert response.status_code == 200
    assert _drivers_listed(response) == {"active", "free", "cancelled", "expired"}
    page = response.content.decode()
    assert "Point became free (driver notified)" in page and "Removed by the driver" in page
    assert operator_client.get(CHANGELIST, {"q": "CP-003"}).status_code == 200


@pytest.mark.parametrize("state", ["active", "free", "cancelled", "expired"])
def test_the_state_filter(operator_client, watches, state):
    response = operator_client.get(CHANGELIST, {"state": state})

    assert response.status_code == 200
    assert _drivers_listed(response) == {state}


def test_watches_are_read_only_and_cannot_be_added(operator_client, watches):
    change = operator_client.get(reverse("admin:drivers_watch_change", args=[watches["active"].pk]))

    assert change.status_code == 200
    assert 'name="expires_at"' not in change.content.decode()
    assert 'name="ended_at"' not in change.content.decode()
    assert operator_client.get(reverse("admin:drivers_watch_add")).status_code == 403
