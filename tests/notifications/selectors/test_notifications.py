"""notifications.selectors."""

from datetime import timedelta

from django.utils import timezone

from notifications.selectors import alert_list_for_driver, notification_list
from tests.factories import BroadcastAlertFactory, FavoriteFactory, NotificationFactory


def test_notification_list_newest_first_and_unread_only(alice, bob):
    now = timezone.now()
    old = NotificationFactory(driver=alice, created_at=now - timedelta(minutes=1), read=True)
    new = NotificationFactory(driver=alice, created_at=now)
    NotificationFactory(driver=bob)

    assert list(notification_list(driver=alice)) == [new, old]
    assert list(notification_list(driver=alice, unread_only=True)) == [new]


def test_alert_cities_match_case_insensitively(alice, cp):
    FavoriteFactory(driver=alice, charging_point=cp)
    alert = BroadcastAlertFactory(cities=["SPRINGFIELD"])

    assert alert_list_for_driver(driver=alice) == [alert]


def test_alert_boundaries(alice):
    now = timezone.now()
    starts_now = BroadcastAlertFactory(effective_at=now, expires_at=now + timedelta(minutes=1))
    BroadcastAlertFactory(effective_at=now - timedelta(minutes=1), expires_at=now)

    assert alert_list_for_driver(driver=alice, now=now) == [starts_now]
