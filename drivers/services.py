"""Writes on drivers and their favorites."""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from rest_framework.authtoken.models import Token

from chargingpoints.models import ChargingPoint
from common.errors import ChargingPointNotFound
from drivers.models import Driver, Favorite

DEMO_DRIVERS = (
    # name, home position (Springfield, Boston, Madrid, Barcelona, Berlin)
    ("alice", 42.1015, -72.5898),
    ("bob", 42.3601, -71.0589),
    ("charlie", 40.4168, -3.7038),
    ("david", 41.3874, 2.1686),
    ("eve", 52.5200, 13.4050),
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
    *, username: str, driver_id: str, password: str, display_name: str = "", home=(None, None)
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
        )
        return driver, True


def drivers_seed_demo() -> list[DemoDriver]:
    """Create the demo drivers alice..eve with passwords and API tokens. Idempotent."""
    result = []
    for name, lat, lng in DEMO_DRIVERS:
        password = demo_password(name)
        driver, created = driver_create(username=name, driver_id=f"driver-{name}", password=password, home=(lat, lng))
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
