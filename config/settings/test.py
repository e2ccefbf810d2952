"""Test settings (pytest.ini): the development settings on PostgreSQL, with eager Celery and fast hashing."""

import os

# The suite runs on the development defaults (DJANGO_DEBUG=true, as `make run`), here and in the processes it
# starts (they inherit this environment); tests/config/test_settings.py checks the production defaults.
os.environ.setdefault("DJANGO_DEBUG", "true")

from config.settings.base import TEST_DATABASE_URL, TEST_DB_NAME, env, env_bool  # noqa: E402

# As config/settings/__init__.py picks, now that DJANGO_DEBUG has its test default.
if env_bool("DJANGO_DEBUG", default=False):
    from config.settings.local import *  # noqa: E402, F403
    from config.settings.local import REST_FRAMEWORK, STORAGES  # noqa: E402
else:
    from config.settings.production import *  # noqa: E402, F403
    from config.settings.production import REST_FRAMEWORK, STORAGES  # noqa: E402

DATABASES = {"default": env.db_url_config(TEST_DATABASE_URL)}
DATABASES["default"]["TEST"] = {"NAME": TEST_DB_NAME}
DATABASES["default"]["CONN_MAX_AGE"] = 0

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"driver_writes": "10000/min"}}
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
# The tests have no internet: the page's map draws its markers without tiles unless a test serves its own.
DASHBOARD_MAP_TILE_URL = ""
# Throttle counters must not leak between test runs.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# No driver-activity marking (config/activity.py): a test's first request would otherwise run a poll of central
# (Celery is eager here). The tests of the marking turn it on.
CENTRAL_POLL_ACTIVE_SECONDS = 0
# Events go to Redis db 9, on a stream of this run's own (concurrent runs use their own TEST_DB_NAME).
EVENTS_REDIS_URL = env.str("TEST_EVENTS_REDIS_URL", default="redis://127.0.0.1:6379/9")
EVENTS_STREAM = f"driver-dashboard:events:{TEST_DB_NAME}"
# The API's response cache is on in the suite, so every API test also checks that no write leaves a stale answer;
# its keys carry the test database's name.
API_RESPONSE_CACHE_REDIS_URL = EVENTS_REDIS_URL
# No events process runs beside pytest's live server: the page polls, unless a test starts one (tests/events_server.py).
DASHBOARD_PUSH = False
