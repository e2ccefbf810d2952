"""The settings package: config.settings picks local or production by DJANGO_DEBUG; a module named in
DJANGO_SETTINGS_MODULE (pytest's config.settings.test) is used as it is."""

import os
import subprocess
import sys

from django.conf import settings

SHOW = (
    "import django; django.setup(); from django.conf import settings as s; "
    "print(s.DEBUG, s.DATABASES['default']['ENGINE'], s.CELERY_TASK_ALWAYS_EAGER)"
)


def _django_settings(module: str, **env) -> subprocess.CompletedProcess:
    """Django's settings in a fresh interpreter with DJANGO_SETTINGS_MODULE=module and only `env` configured."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL"))}
    return subprocess.run(
        [sys.executable, "-c", SHOW],
        cwd=settings.BASE_DIR,
        env={**clean, "DJANGO_SETTINGS_MODULE": module, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_test_settings_are_development_on_postgresql_with_nothing_configured():
    # The package's __init__ runs first with DJANGO_DEBUG unset: it must not pick production (and refuse, keyless).
    result = _django_settings("config.settings.test")

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "django.db.backends.postgresql", "True"]


def test_test_settings_follow_an_explicit_production_choice():
    result = _django_settings("config.settings.test", DJANGO_DEBUG="false")

    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in result.stderr


def test_a_named_environment_module_is_used_whatever_django_debug_says():
    production = _django_settings("config.settings.production", DJANGO_DEBUG="true", DJANGO_SECRET_KEY="k" * 50)
    local = _django_settings("config.settings.local")

    assert production.returncode == 0, production.stderr
    assert production.stdout.split() == ["False", "django.db.backends.sqlite3", "False"]
    assert local.returncode == 0, local.stderr
    assert local.stdout.split() == ["True", "django.db.backends.sqlite3", "False"]


def test_the_package_picks_by_django_debug():
    development = _django_settings("config.settings", DJANGO_DEBUG="true")
    production = _django_settings("config.settings", DJANGO_SECRET_KEY="k" * 50)

    assert development.stdout.split() == ["True", "django.db.backends.sqlite3", "False"], development.stderr
    assert production.stdout.split() == ["False", "django.db.backends.sqlite3", "False"], production.stderr
