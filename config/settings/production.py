"""Production settings, the default (DJANGO_DEBUG unset or false): no debug page, HTTPS-only cookies, hashed static
files, and a refusal to start rather than run with a setting only development may leave out.

`manage.py check --deploy` leaves security.W004 and W008 on purpose: TLS, its redirect and HSTS belong to the
proxy in front (README "Production settings")."""

from django.core.exceptions import ImproperlyConfigured

from config.settings.base import *  # noqa: F403
from config.settings.base import (
    CORS_ALLOWED_ORIGINS,
    DRIVER_DRIVER_ID,
    DRIVER_SINGLE_MODE_IN_PRODUCTION,
    SECRET_KEY,
    STORAGES,
    WHITENOISE_USE_FINDERS,
)

DEBUG = False

# No default key: one known to everyone would sign every session and password-reset link.
if not SECRET_KEY:
    raise ImproperlyConfigured(
        "DJANGO_SECRET_KEY is not set: production settings (DJANGO_DEBUG unset or false) refuse to start "
        "without one. Set DJANGO_SECRET_KEY to a long random string, or DJANGO_DEBUG=true for development "
        "(make run does)."
    )

# Single-driver mode trusts loopback clients, and a reverse proxy, tunnel or sidecar on the host makes everyone one.
if DRIVER_DRIVER_ID and not DRIVER_SINGLE_MODE_IN_PRODUCTION:
    raise ImproperlyConfigured(
        "DRIVER_DRIVER_ID is set with DJANGO_DEBUG=false: single-driver mode treats every request from this machine "
        "as that driver's, which a reverse proxy or tunnel on the host extends to everyone. Unset DRIVER_DRIVER_ID, "
        "or set DRIVER_SINGLE_MODE_IN_PRODUCTION=true if nothing forwards requests to this process."
    )

# No cross-origin caller unless CORS_ALLOWED_ORIGINS names one: the dashboard calls its API from its own origin.
if CORS_ALLOWED_ORIGINS is None:
    CORS_ALLOWED_ORIGINS = []

SECURE_CONTENT_TYPE_NOSNIFF = True

# The compressed, hashed files `collectstatic` wrote (the Dockerfile runs it), cacheable forever by name.
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}}
if WHITENOISE_USE_FINDERS is None:
    WHITENOISE_USE_FINDERS = False
