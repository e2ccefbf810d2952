"""Reads on a driver's notifications and the broadcast alerts that concern them."""

from dataclasses import dataclass
from datetime import datetime
from functools import reduce
from operator import or_

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from chargingpoints.models import ChargingPoint
from drivers.models import Driver, Favorite
from events.versions import answer_holds_until
from notifications.models import BroadcastAlert, Notification


def notification_list(*, driver: Driver, unread_only: bool = False) -> QuerySet[Notification]:
    """The driver's notifications, newest first."""
    notes = Notification.objects.filter(driver=driver).order_by("-created_at", "-id")
    if unread_only:
        notes = notes.filter(read=False)
    return notes


@dataclass(frozen=True)
class DriverPlaces:
    """Where a driver is, for the alert scope rule: charging-point pks and lower-cased city names."""

    point_pks: frozenset[int] = frozenset()
    cities: frozenset[str] = frozenset()


def alert_scope_reaches(*, places: DriverPlaces, point_pks: set[int], cities: set[str]) -> bool:
    """THE alert scope rule, used both to deliver alerts and to count their reach in the admin.

    An alert with no points and no cities is for everyone. Otherwise it reaches a driver when one of its
    points is a favorite of the driver or the point of the driver's open session, or when one of its cities
    (case-insensitively) is the driver's home city, the city of a favorite point, or the city of the open
    session's point.
    """
    cities = {city.lower() for city in cities}
    if not point_pks and not cities:
        return True
    return bool(places.point_pks & point_pks or places.cities & cities)


def _open_session_model():
    # The sessions app sits above this one (import-linter), so its model is reached through the reverse relation.
    return Driver._meta.get_field("sessions").related_model


def _driver_places(driver: Driver) -> DriverPlaces:
    """The driver's places: home city, favorite points and their cities, the open session's point and city."""
    points = set(Favorite.objects.filter(driver=driver).values_list("charging_point_id", "charging_point__city"))
    # The open session: the one without an end yet.
    open_point = (
        driver.sessions.filter(completed_at__isnull=True)
        .values_list("charging_point_id", "charging_point__city")
        .first()
    )
    if open_point:
        points.add(open_point)
    cities = {city.lower() for _, city in points}
    if driver.home_city:
        cities.add(driver.home_city.lower())
    return DriverPlaces(point_pks=frozenset(pk for pk, _ in points), cities=frozenset(cities))


def _lower_in(field: str, cities: set[str]) -> Q:
    """`field` equals one of `cities`, case-insensitively (a Q that matches nothing for no cities)."""
    return reduce(or_, (Q(**{f"{field}__iexact": city}) for city in cities), Q(pk__in=[]))


def alert_reach(*, point_pks: set[int], cities: set[str]) -> list[int]:
    """The pks of the drivers an alert with this scope reaches (alert_scope_reaches), for the admin's preview.

    The queries only narrow the candidates (a superset: drivers with a matching home city, favorite or
    open session); the rule itself decides, so the count and the delivery cannot disagree. Three queries.
    """
    if not point_pks and not cities:
        return list(Driver.objects.order_by("pk").values_list("pk", flat=True))
    places: dict[int, tuple[set[int], set[str]]] = {}

    def add(driver_pk: int, point_pk: int | None, city: str) -> None:
        pks, names = places.setdefault(driver_pk, (set(), set()))
        if point_pk is not None:
            pks.add(point_pk)
        if city:
            names.add(city.lower())

    for driver_pk, city in Driver.objects.filter(_lower_in("home_city", cities)).values_list("pk", "home_city"):
        add(driver_pk, None, city)
    near = Q(charging_point_id__in=point_pks) | _lower_in("charging_point__city", cities)
    for row in Favorite.objects.filter(near).values_list("driver_id", "charging_point_id", "charging_point__city"):
        add(*row)
    sessions = _open_session_model().objects.filter(near, completed_at__isnull=True)
    for row in sessions.values_list("driver_id", "charging_point_id", "charging_point__city"):
        add(*row)
    return sorted(
        driver_pk
        for driver_pk, (pks, names) in places.items()
        if alert_scope_reaches(
            places=DriverPlaces(point_pks=frozenset(pks), cities=frozenset(names)),
            point_pks=point_pks,
            cities=cities,
        )
    )


def alert_list_for_driver(*, driver: Driver, now: datetime | None = None) -> list[BroadcastAlert]:
    """Alerts in force now (effective_at ≤ now < expires_at, or no expiry), newest first, that concern
    the driver by the scope rule (alert_scope_reaches): alerts for everyone, or naming one of the driver's
    favorite points or the open session's point, or the driver's home city or the city of one of those points.

    Scoping runs in Python because a JSON-list lookup is not portable to SQLite; four queries.
    """
    now = now or timezone.now()
    places = _driver_places(driver)
    # Alerts still to come are read too: the first of them to start (or of those shown to end) is when this
    # answer changes by the clock alone (events.versions.answer_holds_until, for the API's response cache).
    alerts = (
        BroadcastAlert.objects.filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
        .prefetch_related(Prefetch("charging_points", queryset=ChargingPoint.objects.only("pk")))
        .order_by("-effective_at", "-id")
    )
    reaching = [
        alert
        for alert in alerts
        if alert_scope_reaches(
            places=places,
            point_pks={point.pk for point in alert.charging_points.all()},
            cities={str(city) for city in (alert.cities or [])},
        )
    ]
    in_force = [alert for alert in reaching if alert.effective_at <= now]
    changes = [alert.effective_at for alert in reaching if alert.effective_at > now]
    changes += [alert.expires_at for alert in in_force if alert.expires_at is not None]
    if changes:
        answer_holds_until(min(changes))
    return in_force
