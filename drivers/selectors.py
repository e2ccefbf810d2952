"""Reads on drivers and their watches."""

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.utils import timezone

from common.errors import DriverNotFound
from drivers.models import Driver, Watch
from events.versions import answer_holds_until


def driver_get_own(*, user: AbstractBaseUser, driver_id: str) -> Driver:
    """The driver `driver_id` if it belongs to `user`; otherwise DriverNotFound (404).

    Another driver's id and an id that does not exist answer the same, so nothing is revealed.
    """
    driver = driver_of_user(user=user)
    if driver is None or driver.driver_id != driver_id:
        raise DriverNotFound()
    return driver


def driver_of_user(*, user: AbstractBaseUser | AnonymousUser | None) -> Driver | None:
    """The driver signed in as `user`, or None (anonymous, or a user who is not a driver).

    Read through `user.driver`: one query the first time for this user object, none after, and none at all for
    a user the token authentication brought with its driver (drivers/authentication.py).
    """
    if user is None or not user.is_authenticated:
        return None
    try:
        return user.driver
    except Driver.DoesNotExist:
        return None


def watch_list_active(*, driver: Driver, now=None) -> list[Watch]:
    """The driver's active watches (not ended, not expired), oldest first, with their points."""
    now = now or timezone.now()
    watches = list(
        Watch.objects.select_related("charging_point").filter(driver=driver, ended_at__isnull=True, expires_at__gt=now)
    )
    if watches:
        answer_holds_until(min(watch.expires_at for watch in watches))  # the first to expire leaves the list
    return watches
