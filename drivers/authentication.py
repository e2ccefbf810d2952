"""The specification's single-driver mode (opt-in): one dashboard per driver, as in its usage example
`DRIVER_DASHBOARD_PORT=8100 DRIVER_DRIVER_ID=driver-alice ...`, where clients send no credentials.

With `DRIVER_DRIVER_ID` set, a request that carries no token and no session login is taken as that
driver's — but only from this machine (loopback) and never from another site's page, so a web page
cannot act for the driver and nobody on the network can. Unset (the default), every `/drivers/...`
endpoint needs a token or a login. Never set it behind a reverse proxy on the same host: every request
would then come from loopback.
"""

import ipaddress

from django.conf import settings
from rest_framework.authentication import BaseAuthentication

from drivers.models import Driver


def _is_loopback(address: str | None) -> bool:
    try:
        return ipaddress.ip_address(address or "").is_loopback
    except ValueError:
        return False


def _is_cross_site(request) -> bool:
    # Browsers label cross-site requests; curl and app clients send neither header.
    if request.META.get("HTTP_SEC_FETCH_SITE", "") in ("cross-site", "same-site"):
        return True
    origin = request.META.get("HTTP_ORIGIN")
    return bool(origin) and origin not in settings.CORS_ALLOWED_ORIGINS


class SingleDriverAuthentication(BaseAuthentication):
    """Authenticates credential-less loopback requests as `settings.DRIVER_DRIVER_ID` (when set)."""

    def authenticate(self, request):
        driver_id = settings.DRIVER_DRIVER_ID
        if not driver_id or "HTTP_AUTHORIZATION" in request.META:
            return None
        if not _is_loopback(request.META.get("REMOTE_ADDR")) or _is_cross_site(request):
            return None
        driver = Driver.objects.select_related("user").filter(driver_id=driver_id).first()
        if driver is None or not driver.user.is_active:
            return None
        return (driver.user, None)
