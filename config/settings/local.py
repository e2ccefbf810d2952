"""Development settings (DJANGO_DEBUG=true, which `make run` sets): debug pages, a fixed local secret key, and
the dashboard's own origins and unbuilt static files served as they are. Never expose a process running them."""

from config.settings.base import *  # noqa: F403
from config.settings.base import CORS_ALLOWED_ORIGINS, DRIVER_DASHBOARD_PORT, SECRET_KEY, WHITENOISE_USE_FINDERS

DEBUG = True

# `make run` needs nothing configured; production.py refuses to start without a real key.
SECRET_KEY = SECRET_KEY or "insecure-local-development-key-do-not-use-in-production"

# The dashboard's own origins, on its port, unless CORS_ALLOWED_ORIGINS is set.
if CORS_ALLOWED_ORIGINS is None:
    CORS_ALLOWED_ORIGINS = [f"http://localhost:{DRIVER_DASHBOARD_PORT}", f"http://127.0.0.1:{DRIVER_DASHBOARD_PORT}"]

# Plain http://localhost: an HTTPS-only cookie would never come back, and nobody could sign in.
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False

# Static files straight from the apps: development never needs `collectstatic` to see a change.
if WHITENOISE_USE_FINDERS is None:
    WHITENOISE_USE_FINDERS = True
