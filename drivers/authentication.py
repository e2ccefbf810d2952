"""Authentication: the specification's single-driver mode, and the sign-in lockout backend (end of file).

The specification's single-driver mode (opt-in): one dashboard per driver, as in its usage example
`DRIVER_DASHBOARD_PORT=8100 DRIVER_DRIVER_ID=driver-alice ...`, where clients send no credentials.

With `DRIVER_DRIVER_ID` set, a request that carries no token and no session login is taken as that
driver's — but only from this machine (loopback), never from another site's page and never through a
proxy, so a web page cannot act for the driver and nobody on the network can. A reverse proxy, SSH
tunnel, port-forward or sidecar on the host makes every client look like loopback: a request carrying
any proxy header (`Forwarded`, `X-Forwarded-*`, `X-Real-IP`) is refused, and production settings
(`DJANGO_DEBUG=false`) refuse to start in this mode unless `DRIVER_SINGLE_MODE_IN_PRODUCTION` is set.
Unset (the default), every `/drivers/...` endpoint needs a token or a login.
"""

import ipaddress

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from rest_framework.authentication import BaseAuthentication

from drivers.models import Driver

# Why a request was not taken as the configured driver; the API's 401 answer says it
# (config.exceptions.api_exception_handler), so a client behind a proxy learns what to do.
REFUSAL_ATTRIBUTE = "single_driver_refusal"
REFUSED_THROUGH_PROXY = (
    "Single-driver mode (DRIVER_DRIVER_ID) does not accept requests that came through a proxy "
    "({header} header): sign in or send a token."
)
REFUSED_CROSS_SITE = (
    "Single-driver mode (DRIVER_DRIVER_ID) does not act for another site's page: sign in or send a token."
)


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


def proxy_header(meta) -> str | None:
    """The name of the first proxy header in a WSGI environ (`Forwarded`, `X-Forwarded-*`, `X-Real-IP`), or None."""
    for key in meta:
        if key in ("HTTP_FORWARDED", "HTTP_X_REAL_IP") or key.startswith("HTTP_X_FORWARDED_"):
            return key.removeprefix("HTTP_").replace("_", "-").title().replace("Ip", "IP")
    return None


class SingleDriverAuthentication(BaseAuthentication):
    """Authenticates credential-less loopback requests as `settings.DRIVER_DRIVER_ID` (when set)."""

    def authenticate(self, request):
        driver_id = settings.DRIVER_DRIVER_ID
        if not driver_id or "HTTP_AUTHORIZATION" in request.META:
            return None
        if not _is_loopback(request.META.get("REMOTE_ADDR")):
            return None
        if header := proxy_header(request.META):
            setattr(request._request, REFUSAL_ATTRIBUTE, REFUSED_THROUGH_PROXY.format(header=header))
            return None
        if _is_cross_site(request):
            setattr(request._request, REFUSAL_ATTRIBUTE, REFUSED_CROSS_SITE)
            return None
        driver = Driver.objects.select_related("user").filter(driver_id=driver_id).first()
        if driver is None or not driver.user.is_active:
            return None
        return (driver.user, None)


class SignInLockoutBackend(AxesStandaloneBackend):
    """django-axes' check, first in AUTHENTICATION_BACKENDS: a username locked out from the client's address
    cannot sign in (the dashboard's /login/ and the admin's), whatever the password.

    `authenticate()` without a request (a management command, a script, the test client's `login()`) is no web
    sign-in and has no address to count against: it is not checked, where django-axes would raise.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
