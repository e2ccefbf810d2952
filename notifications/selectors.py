"""Reads on a driver's notifications and the broadcast alerts that concern them."""

from datetime import datetime

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from chargingpoints.models import ChargingPoint
from drivers.models import Driver, Favorite
from notifications.models import BroadcastAlert, Notification


def notification_list(*, driver: Driver, unread_only: bool = False) -> QuerySet[Notification]:
    """The driver's notifications, newest first."""
    notes = Notification.objects.filter(driver=driver).order_by("-created_at", "-id")
    if unread_only:
        notes = notes.filter(read=False)
    return notes


def _driver_places(driver: Driver) -> tuple[set[int], set[str]]:
    """Point pks and lower-cased cities the driver cares about: favorites and the open session's point."""
    points = set(Favorite.objects.filter(driver=driver).values_list("charging_point_id", "charging_point__city"))
    # The driver's open session: the one without an end yet (read through the reverse relation, since the
    # sessions app sits above this one).
    open_point = (
        driver.sessions.filter(completed_at__isnull=True)
        .values_list("charging_point_id", "charging_point__city")
        .first()
    )
    if open_point:
        points.add(open_point)
    return {pk for pk, _ in points}, {city.lower() for _, city in points}


def alert_list_for_driver(*, driver: Driver, now: datetime | None = None) -> list[BroadcastAlert]:
    """Alerts in force now (effective_at ≤ now < expires_at, or no expiry), newest first, that concern
    the driver: alerts for everyone (no points, no cities), or naming one of the driver's favorite
    points or their cities, or the point or city of the driver's open session.

    Scoping runs in Python because a JSON-list lookup is not portable to SQLite; three queries.
    """
    now = now or timezone.now()
    point_pks, cities = _driver_places(driver)
    alerts = (
        BroadcastAlert.objects.filter(effective_at__lte=now)
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
        .prefetch_related(Prefetch("charging_points", queryset=ChargingPoint.objects.only("pk")))
        .order_by("-effective_at", "-id")
    )
    result = []
    for alert in alerts:
        alert_points = {point.pk for point in alert.charging_points.all()}
        alert_cities = {str(city).lower() for city in (alert.cities or [])}
        for_everyone = not alert_points and not alert_cities
        if for_everyone or alert_points & point_pks or alert_cities & cities:
            result.append(alert)
    return result
