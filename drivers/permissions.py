"""Access rules of the `/drivers/{driver_id}/...` endpoints."""

from rest_framework.exceptions import NotFound
from rest_framework.permissions import BasePermission
from rest_framework.throttling import ScopedRateThrottle

from common.errors import DriverNotFound
from drivers.selectors import driver_get_own


class IsPathDriver(BasePermission):
    """The request is authenticated as the driver named by the `driver_id` path parameter.

    Unauthenticated → False (DRF answers 401). Authenticated as someone else, or as a user without a
    driver → 404 "Driver not found", so another driver's existence is never revealed. On success the
    driver is left on `view.driver` for the view to scope its queries with.

    The 404 is raised as DRF's `NotFound`, not the domain's `DriverNotFound`: the browsable API's renderer
    runs the permission checks again for each form it might show and catches only DRF's exceptions, so a
    domain error there turned the HTML 404 page into a 500.
    """

    def has_permission(self, request, view) -> bool:
        if not (request.user and request.user.is_authenticated):
            return False
        if getattr(view, "driver", None) is None:
            try:
                view.driver = driver_get_own(user=request.user, driver_id=view.kwargs["driver_id"])
            except DriverNotFound as exc:
                raise NotFound(exc.detail) from None
        return True


class DriverWritesThrottle(ScopedRateThrottle):
    """Rate-limits the unsafe methods of a view (scope `driver_writes`); reads are never throttled."""

    scope_attr = "throttle_scope"

    def allow_request(self, request, view) -> bool:
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return True
        return super().allow_request(request, view)


class DriverScopedMixin:
    """For views under `/drivers/{driver_id}/`: authenticated, own driver only, writes throttled."""

    permission_classes = [IsPathDriver]
    throttle_classes = [DriverWritesThrottle]
    throttle_scope = "driver_writes"
    driver = None
