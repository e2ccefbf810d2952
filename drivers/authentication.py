"""Authentication: API tokens answered from the cache, the specification's single-driver mode, and the sign-in
lockout backend (end of file).

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

import hashlib
import ipaddress
import logging

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, transaction
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, TokenAuthentication
from rest_framework.authtoken.models import Token

from drivers.models import Driver

logger = logging.getLogger(__name__)

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


# --- API tokens, answered from the cache ------------------------------------------------------------

TOKEN_CACHE_PREFIX = "auth:token:"


def token_cache_key(key: str) -> str:
    # A digest, not the token: whoever reads the cache's keys learns no credential.
    return TOKEN_CACHE_PREFIX + hashlib.sha256(key.encode()).hexdigest()


def _fields(instance, *, leave_out=()) -> tuple[tuple[str, ...], tuple]:
    names = tuple(f.attname for f in instance._meta.concrete_fields if f.attname not in leave_out)
    return names, tuple(getattr(instance, name) for name in names)


def _link(user, driver: Driver | None) -> None:
    """`user.driver` (and `driver.user`) answered without a query, as `drivers.selectors` reads it."""
    relation = Driver._meta.get_field("user")
    relation.remote_field.set_cached_value(user, driver)
    if driver is not None:
        relation.set_cached_value(driver, user)


def _snapshot(token: Token, driver: Driver | None) -> dict:
    # The password hash stays in the database: left out, it is a deferred field, so `user.save()` on a restored
    # user writes only the fields it has and never blanks the password.
    return {
        "user": _fields(token.user, leave_out=("password",)),
        "driver": _fields(driver) if driver is not None else None,
        "created": token.created,
    }


def _restore(key: str, snapshot: dict) -> tuple:
    user = get_user_model().from_db(DEFAULT_DB_ALIAS, *snapshot["user"])
    driver = Driver.from_db(DEFAULT_DB_ALIAS, *snapshot["driver"]) if snapshot["driver"] else None
    _link(user, driver)
    token = Token.from_db(DEFAULT_DB_ALIAS, ("key", "user_id", "created"), (key, user.pk, snapshot["created"]))
    Token._meta.get_field("user").set_cached_value(token, user)
    return user, token


def _cache_call(method: str, *args):
    # The cache is a saving, not a dependency: with Redis away every request reads the database, as before.
    try:
        return getattr(cache, method)(*args)
    except Exception as exc:  # redis.ConnectionError, OSError, ... whatever the backend raises
        logger.warning("token cache %s failed (%s: %s): reading the database", method, exc.__class__.__name__, exc)
        return None


class CachedTokenAuthentication(TokenAuthentication):
    """DRF's TokenAuthentication (same header, same answers) that reads the database once per token and
    AUTH_TOKEN_CACHE_SECONDS instead of on every request.

    One query (token, user and driver joined) on a miss; then the cache holds the user's fields (not the
    password hash) and the driver's, and a request costs no query for either (`drivers.selectors` reads the
    driver from the user). Deleting or rotating a token, and saving or deleting its user or driver, drops the
    entry at once (signal receivers in drivers/apps.py, every process), so a deleted token is refused on the next
    request and an inactive user's too. Unknown tokens and inactive users are never cached. 0 seconds turns the
    cache off (the single joined query remains).
    """

    def authenticate_credentials(self, key):
        seconds = settings.AUTH_TOKEN_CACHE_SECONDS
        cache_key = token_cache_key(key)
        if seconds > 0 and (snapshot := _cache_call("get", cache_key)) is not None:
            return _restore(key, snapshot)
        user, token = self._from_database(key)
        if seconds > 0:
            _cache_call("set", cache_key, _snapshot(token, _driver_or_none(user)), seconds)
        return user, token

    def _from_database(self, key):
        # DRF's checks and messages, with the driver joined in the same query.
        try:
            token = Token.objects.select_related("user__driver").get(key=key)
        except Token.DoesNotExist:
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from None
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        return token.user, token


def _driver_or_none(user) -> Driver | None:
    try:
        return user.driver
    except Driver.DoesNotExist:
        return None


def token_cache_forget(*, keys) -> None:
    """Drop the cached answers of these tokens (their next request reads the database), now and again after
    the transaction commits: a request that read the old rows before the commit may have cached them meanwhile."""
    cache_keys = [token_cache_key(key) for key in keys]
    if cache_keys:
        _cache_call("delete_many", cache_keys)
        transaction.on_commit(lambda: _cache_call("delete_many", cache_keys))


def token_cache_forget_user(*, user_id: int | None) -> None:
    """Drop the cached answers of every token of this user (its fields or its driver changed)."""
    if user_id is not None:
        token_cache_forget(keys=list(Token.objects.filter(user_id=user_id).values_list("key", flat=True)))


def _forget_token(sender, instance, **kwargs) -> None:
    token_cache_forget(keys=[instance.key])


def _forget_users_tokens(sender, instance, **kwargs) -> None:
    token_cache_forget_user(user_id=instance.pk if sender is get_user_model() else instance.user_id)


def connect_token_cache_invalidation() -> None:
    """Connect the receivers that drop cached tokens (drivers/apps.py, in every process that may write)."""
    post_delete.connect(_forget_token, sender=Token, dispatch_uid="token-cache-token-deleted")
    post_save.connect(_forget_token, sender=Token, dispatch_uid="token-cache-token-saved")
    post_save.connect(_forget_users_tokens, sender=get_user_model(), dispatch_uid="token-cache-user-saved")
    post_save.connect(_forget_users_tokens, sender=Driver, dispatch_uid="token-cache-driver-saved")
    post_delete.connect(_forget_users_tokens, sender=Driver, dispatch_uid="token-cache-driver-deleted")


# --- The specification's single-driver mode ----------------------------------------------------------


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
