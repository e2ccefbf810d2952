import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from sessions_app.models import SessionTransition
from sessions_app.status import SessionStatus
from tests.factories import (
    BroadcastAlertFactory,
    ChargingPointFactory,
    ChargingSessionFactory,
    NotificationFactory,
)

pytestmark = pytest.mark.django_db

MODELS = [
    "chargingpoints_chargingpoint",
    "central_centralsyncstate",
    "drivers_driver",
    "drivers_favorite",
    "sessions_app_chargingsession",
    "sessions_app_sessiontransition",
    "central_outboxmessage",
    "central_deadletter",
    "central_consumerprogress",
    "notifications_notification",
    "notifications_broadcastalert",
]


@pytest.fixture
def operator_client(client):
    user = get_user_model().objects.create_superuser("operator", "op@example.com", "operator-pass-1")
    client.force_login(user)
    return client


@pytest.fixture
def some_data():
    session = ChargingSessionFactory(status=SessionStatus.CHARGING)
    SessionTransition.objects.create(session=session, from_status="APPROVED", to_status="CHARGING", source="CENTRAL")
    NotificationFactory(driver=session.driver, session=session)
    BroadcastAlertFactory().charging_points.add(session.charging_point)
    return session


@pytest.mark.parametrize("model", MODELS)
def test_admin_changelist_and_search_load(operator_client, some_data, model):
    url = reverse(f"admin:{model}_changelist")
    assert operator_client.get(url).status_code == 200
    assert operator_client.get(url, {"q": "CP"}).status_code == 200


def test_admin_change_pages_load(operator_client, some_data):
    for model, obj in [
        ("sessions_app_chargingsession", some_data),
        ("chargingpoints_chargingpoint", some_data.charging_point),
        ("drivers_driver", some_data.driver),
    ]:
        response = operator_client.get(reverse(f"admin:{model}_change", args=[obj.pk]))
        assert response.status_code == 200
    page = operator_client.get(reverse("admin:sessions_app_chargingsession_change", args=[some_data.pk])).content
    assert b"APPROVED" in page and b"CHARGING" in page  # the transition history is shown


def test_operator_creates_a_charging_point_but_cannot_edit_live_status(operator_client):
    response = operator_client.post(
        reverse("admin:chargingpoints_chargingpoint_add"),
        {
            "cp_id": "CP-500",
            "name": "Admin Made",
            "connector_type": "CCS",
            "power_kw": "50",
            "price_eur_per_kwh": "0.40",
            "amenities": '["WiFi"]',
            "address": "1 Road",
            "city": "Springfield",
            "latitude": "42.1",
            "longitude": "-72.5",
            "status": "OCCUPIED",
        },
    )
    assert response.status_code == 302
    from chargingpoints.models import ChargingPoint

    point = ChargingPoint.objects.get(cp_id="CP-500")
    assert point.status == "OFFLINE"  # live status is central's: the form ignores it


def test_operator_expires_an_alert(operator_client):
    alert = BroadcastAlertFactory()
    response = operator_client.post(
        reverse("admin:notifications_broadcastalert_changelist"),
        {"action": "expire_now", "_selected_action": [alert.pk]},
    )
    assert response.status_code == 302
    alert.refresh_from_db()
    assert alert.expires_at is not None and alert.expires_at > alert.effective_at


def test_sessions_cannot_be_added_by_hand(operator_client):
    assert operator_client.get(reverse("admin:sessions_app_chargingsession_add")).status_code == 403
    ChargingPointFactory()
