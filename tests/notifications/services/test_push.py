"""The live `notification` and `alert` events: the list items as the API answers them, after commit only."""

import pytest
from django.db import transaction
from django.utils import timezone

from notifications.models import BroadcastAlert, Notification
from notifications.services import broadcast_alert_upsert_from_central, notification_create

pytestmark = pytest.mark.django_db


def test_a_new_notification_is_published_to_its_driver_as_the_list_shows_it(
    alice, alice_client, published, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        notification_create(driver=alice, type=Notification.Type.ALERT, message="CP-001 is free now", dedupe_key="k")
        notification_create(driver=alice, type=Notification.Type.ALERT, message="CP-001 is free now", dedupe_key="k")

    listed = alice_client.get("/drivers/driver-alice/notifications").json()
    assert published() == [("notification", "driver-alice", listed[0])]  # the duplicate is not published


def test_a_rolled_back_notification_is_not_published(alice, published, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        notification_create(driver=alice, type=Notification.Type.SESSION, message="never")
        raise RuntimeError

    assert published() == []


def test_an_alert_from_central_is_published_to_everyone_once(
    alice_client, published, django_capture_on_commit_callbacks
):
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            broadcast_alert_upsert_from_central(
                source_key="evt-1",
                title="Failure",
                message="Grid down",
                severity="CRITICAL",
                effective_at=timezone.now(),
            )

    listed = alice_client.get("/drivers/driver-alice/alerts").json()
    assert published() == [("alert", "", listed[0])]


def test_an_alert_saved_in_the_admin_is_published(admin_client, published, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            "/admin/notifications/broadcastalert/add/",
            {
                "title": "Maintenance tonight",
                "message": "Springfield points restart at 02:00",
                "severity": "WARN",
                "effective_at_0": "2026-01-01",
                "effective_at_1": "00:00:00",
            },
        )
    assert response.status_code == 302, response.context["adminform"].form.errors

    alert = BroadcastAlert.objects.get(title="Maintenance tonight")
    assert published() == [
        (
            "alert",
            "",
            {
                "alert_id": alert.alert_id,
                "title": "Maintenance tonight",
                "message": "Springfield points restart at 02:00",
                "severity": "WARN",
                "effective_at": "2026-01-01T00:00:00Z",
                "expires_at": None,
            },
        )
    ]
