"""GET /drivers/{driver_id}/notifications and the read / read-all actions."""

from datetime import UTC, datetime, timedelta

import pytest

from notifications.models import Notification
from tests.factories import NotificationFactory

URL = "/drivers/driver-alice/notifications"
NOON = datetime(2025, 10, 25, 12, tzinfo=UTC)


@pytest.fixture
def notes(alice, bob):
    older = NotificationFactory(
        driver=alice,
        notification_id="note-xyz789",
        created_at=NOON - timedelta(minutes=5),
        message="Charging point CP-003 is currently offline.",
        type=Notification.Type.ALERT,
    )
    newer = NotificationFactory(
        driver=alice, notification_id="note-abc123", created_at=NOON, message="Session approved for CP-001"
    )
    read = NotificationFactory(
        driver=alice, notification_id="note-read", created_at=NOON - timedelta(hours=1), read=True
    )
    NotificationFactory(driver=bob, notification_id="note-bob", created_at=NOON + timedelta(hours=1))
    return newer, older, read


def test_list_is_newest_first_with_exactly_the_documented_fields(alice_client, notes):
    response = alice_client.get(URL)

    assert response.status_code == 200
    assert response.json() == [
        {
            "notification_id": "note-abc123",
            "created_at": "2025-10-25T12:00:00Z",
            "message": "Session approved for CP-001",
            "type": "SESSION",
            "read": False,
        },
        {
            "notification_id": "note-xyz789",
            "created_at": "2025-10-25T11:55:00Z",
            "message": "Charging point CP-003 is currently offline.",
            "type": "ALERT",
            "read": False,
        },
        {
            "notification_id": "note-read",
            "created_at": "2025-10-25T11:00:00Z",
            "message": notes[2].message,
            "type": "SESSION",
            "read": True,
        },
    ]


def test_unread_filter(alice_client, notes):
    unread = alice_client.get(f"{URL}?unread=true").json()
    everything = alice_client.get(f"{URL}?unread=false").json()

    assert [n["notification_id"] for n in unread] == ["note-abc123", "note-xyz789"]
    assert len(everything) == 3


def test_invalid_unread_value_is_a_400(alice_client, notes):
    response = alice_client.get(f"{URL}?unread=yes")

    assert response.status_code == 400
    assert response.json() == {
        "detail": "Invalid request payload",
        "unread": ["Must be 'true' or 'false'."],
        "errors": {"unread": ["Must be 'true' or 'false'."]},
    }


def test_mark_one_read_answers_the_notification(alice_client, notes):
    response = alice_client.post(f"{URL}/note-abc123/read")

    assert response.status_code == 200
    assert response.json() == {
        "notification_id": "note-abc123",
        "created_at": "2025-10-25T12:00:00Z",
        "message": "Session approved for CP-001",
        "type": "SESSION",
        "read": True,
    }
    assert Notification.objects.get(notification_id="note-abc123").read is True
    assert Notification.objects.get(notification_id="note-xyz789").read is False
    assert alice_client.post(f"{URL}/note-abc123/read").status_code == 200


def test_mark_unknown_or_foreign_notification_is_a_404(alice_client, notes):
    unknown = alice_client.post(f"{URL}/note-nothere/read")
    bobs = alice_client.post(f"{URL}/note-bob/read")

    assert (unknown.status_code, unknown.json()) == (404, {"detail": "Notification not found"})
    assert (bobs.status_code, bobs.json()) == (404, {"detail": "Notification not found"})
    assert Notification.objects.get(notification_id="note-bob").read is False


def test_mark_all_read_counts_the_changed_ones(alice_client, notes):
    first = alice_client.post(f"{URL}/read-all")
    second = alice_client.post(f"{URL}/read-all")

    assert (first.status_code, first.json()) == (200, {"marked_read": 2})
    assert (second.status_code, second.json()) == (200, {"marked_read": 0})
    assert alice_client.get(f"{URL}?unread=true").json() == []
    assert Notification.objects.get(notification_id="note-bob").read is False


def test_bob_cannot_read_or_mark_alices_notifications(bob_client, notes):
    assert bob_client.get(URL).status_code == 404
    assert bob_client.post(f"{URL}/note-abc123/read").status_code == 404
    assert bob_client.post(f"{URL}/read-all").status_code == 404
    assert Notification.objects.filter(driver__driver_id="driver-alice", read=False).count() == 2


def test_list_query_count_does_not_grow(alice, alice_client, django_assert_num_queries):
    NotificationFactory.create_batch(15, driver=alice)

    with django_assert_num_queries(2):
        assert len(alice_client.get(URL).json()) == 15
