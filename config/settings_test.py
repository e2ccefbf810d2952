"""Test settings: the base settings on PostgreSQL, with eager Celery and fast hashing."""

import os

# The suite runs on the development defaults (DJANGO_DEBUG=true, as `make run`), here and in the processes it
# starts (they inherit this environment); tests/config/test_settings.py checks the production defaults.
os.environ.setdefault("DJANGO_DEBUG", "true")

from config.settings import *  # noqa: E402, F403
from config.settings import TEST_DATABASE_URL, TEST_DB_NAME, env  # noqa: E402

DATABASES = {"default": env.db_url_config(TEST_DATABASE_URL)}
DATABASES["default"]["TEST"] = {"NAME": TEST_DB_NAME}
DATABASES["default"]["CONN_MAX_AGE"] = 0

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"driver_writes": "10000/min"}}  # noqa: F405
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # noqa: F405
# Throttle counters must not leak between test runs.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
