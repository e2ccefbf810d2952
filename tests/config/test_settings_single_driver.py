"""Single-driver mode (DRIVER_DRIVER_ID) refuses to start in production unless allowed on purpose."""

import os
import subprocess
import sys

from django.conf import settings


def _load_settings(**env) -> subprocess.CompletedProcess:
    clean = {
        k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL", "DRIVER_"))
    }
    return subprocess.run(
        [sys.executable, "-c", "import config.settings as s; print(s.DRIVER_DRIVER_ID, s.DEBUG)"],
        cwd=settings.BASE_DIR,
        env={**clean, "DJANGO_SECRET_KEY": "a-long-random-production-secret", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_refuses_single_driver_mode_by_default():
    result = _load_settings(DJANGO_DEBUG="false", DRIVER_DRIVER_ID="driver-alice")

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "DRIVER_SINGLE_MODE_IN_PRODUCTION" in result.stderr


def test_production_allows_single_driver_mode_when_told_to():
    result = _load_settings(
        DJANGO_DEBUG="false", DRIVER_DRIVER_ID="driver-alice", DRIVER_SINGLE_MODE_IN_PRODUCTION="true"
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["driver-alice", "False"]


def test_development_needs_no_permission():
    result = _load_settings(DJANGO_DEBUG="true", DRIVER_DRIVER_ID="driver-alice")

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["driver-alice", "True"]
