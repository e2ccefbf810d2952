"""Writes on drivers, their favorites and their watches ("tell me when it's free")."""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from rest_framework.authtoken.models import Token

from chargingpoints.models import ChargingPoint, PointStatus
from common.errors import ChargingPointAlreadyFree, ChargingPointNotFound
from drivers.models import Driver, Favorite, Watch

DEMO_DRIVERS = (
    # name, home position, home city (as the charging points spell it)
    ("alice", 42.1015, -72.5898, "Springfield"),
    ("bob", 42.3601, -71.0589, "Boston"),
    ("charlie", 40.4168, -3.7038, "Madrid"),
    ("david", 41.3874, 2.1686, "Barcelona"),
    ("eve", 52.5200, 13.4050, "Berlin"),
)


@dataclass
class DemoDriver:
    driver: Driver
    password: str
    token: str
    created: bool


def demo_password(name: str) -> str:
    return f"{name}-charge-2026"


def driver_create(
    *, username: str, driver_id: str, password: str, display_name: str = "", home=(None, None), home_city: str = ""
) -> tuple[Driver, bool]:
    """Create a driver with its login user, or return the existing one unchanged."""
    with transaction.atomic():
        existing = Driver.objects.select_related("user").filter(driver_id=driver_id).first()
        if existing:
            return existing, False
        user_model = get_user_model()
        user, user_created = user_model.objects.get_or_create(username=username)
        if user_created or not user.has_usable_password():
            user.set_password(password)
            user.save(update_fields=["password"])
        driver = Driver.objects.create(
            driver_id=driver_id,
            user=user,
            display_name=display_name or username.capitalize(),
            home_latitude=home[0],
            home_longitude=home[1],
            home_city=home_city,
        )
        return driver, True


def drivers_seed_demo() -> list[DemoDriver]:
    """Create the demo drivers alice..eve with passwords and API tokens. Idempotent."""
    result = []
    for name, lat, lng, city in DEMO_DRIVERS:
        password = demo_password(name)
        driver, created = driver_create(
            username=name, driver_id=f"driver-{name}", password=password, home=(lat, lng), home_city=city
        )
        if not driver.home_city:
            # Demo drivers seeded before home cities existed get theirs; an operator's choice is kept.
            Driver.objects.filter(pk=driver.pk, home_city="").update(home_city=city)
            driver.home_city = city
        token, _ = Token.objects.get_or_create(user=driver.user)
        result.append(DemoDriver(driver=driver, password=password, token=token.key, created=created))
    return result


def favorite_add(*, driver: Driver, cp_id: str) -> Favorite:
    """Add a favorite; adding it twice is fine. Raises ChargingPointNotFound."""
    point = ChargingPoint.objects.filter(cp_id=cp_id).first()
    if point is None:
        raise ChargingPointNotFound()
    try:
        with transaction.atomic():
            favorite, _ = Favorite.objects.get_or_create(driver=driver, charging_point=point)
    except IntegrityError:
        favorite = Favorite.objects.get(driver=driver, charging_point=point)
    return favorite


def favorite_remove(*, driver: Driver, cp_id: str) -> None:
    """Remove a favorite. Unknown point → ChargingPointNotFound; not a favorite → nothing happens."""
    point = ChargingPoint.objects.filter(cp_id=cp_id).first()
    if point is None:
        raise ChargingPointNotFound()
    Favorite.objects.filter(driver=driver, charging_point=point).delete()


# --- Watches ("tell me when it's free") ---------------------------------------------------------------


def watch_start(*, driver: Driver, cp_id: str, now=None) -> tuple[Watch, bool]:
    """Watch a point until it turns FREE. Returns (watch, created).

    A driver has at most one active watch per point (a partial unique constraint): asking again
    returns the active one unchanged (its expiry is not extended). A watch that ran out is ended
    (EXPIRED) first, so a new one can take its place. Raises ChargingPointNotFound, and
    ChargingPointAlreadyFree when the point is FREE now (there is nothing to wait for).
    """
    now = now or timezone.now()
    point = ChargingPoint.objects.filter(cp_id=cp_id).first()
    if point is None:
        raise ChargingPointNotFound()
    active = _watches_active(now).filter(driver=driver, charging_point=point).first()
    if active is not None:
        return active, False
    if point.status == PointStatus.FREE:
        raise ChargingPointAlreadyFree(point.cp_id)
    expires_at = now + timedelta(seconds=settings.WATCH_EXPIRY_SECONDS)
    try:
        with transaction.atomic():
            _watches_end(
                Watch.objects.filter(driver=driver, charging_point=point, expires_at__lte=now),
                reason=Watch.EndReason.EXPIRED,
                now=now,
            )
            watch = Watch.objects.create(driver=driver, charging_point=point, created_at=now, expires_at=expires_at)
    except IntegrityError:
        # A concurrent request of the same driver created it first.
        return Watch.objects.select_related("charging_point").get(
            driver=driver, charging_point=point, ended_at__isnull=True
        ), False
    watch.charging_point = point
    return watch, True


def watch_stop(*, driver: Driver, cp_id: str, now=None) -> None:
    """End the driver's watch on a point (CANCELLED). Unknown point → ChargingPointNotFound; no active
    watch → nothing happens."""
    point = ChargingPoint.objects.filter(cp_id=cp_id).first()
    if point is None:
        raise ChargingPointNotFound()
    _watches_end(
        Watch.objects.filter(driver=driver, charging_point=point),
        reason=Watch.EndReason.CANCELLED,
        now=now or timezone.now(),
    )


def watches_claim_free_points(*, now=None, skip_point_pks=()) -> list[Watch]:
    """End (FREE) every active, unexpired watch whose point is FREE now (except the points in
    `skip_point_pks`), and return the ones this call ended, with driver and point loaded, for the caller to
    notify in the same transaction.

    Each watch is claimed by a conditional UPDATE (`ended_at IS NULL`), so two overlapping callers
    never both get the same watch: each watch fires once.
    """
    now = now or timezone.now()
    candidates = list(
        _watches_active(now)
        .filter(charging_point__status=PointStatus.FREE)
        .exclude(charging_point_id__in=list(skip_point_pks))
        .select_related("driver", "charging_point")
        .order_by("id")
    )
    claimed = []
    for watch in candidates:
        if _watches_end(Watch.objects.filter(pk=watch.pk), reason=Watch.EndReason.FREE, now=now):
            watch.ended_at, watch.end_reason = now, Watch.EndReason.FREE
            claimed.append(watch)
    return claimed


def _watches_active(now) -> QuerySet[Watch]:
    return Watch.objects.filter(ended_at__isnull=True, expires_at__gt=now)


def _watches_end(watches: QuerySet[Watch], *, reason: str, now) -> int:
    """End the active ones among `watches` (conditional on `ended_at IS NULL`); returns how many."""
    return watches.filter(ended_at__isnull=True).update(ended_at=now, end_reason=reason)
