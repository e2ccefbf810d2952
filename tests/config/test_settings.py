"""The settings module: production by default, refusing to start without a secret key; development on request."""

import json
import os
import subprocess
import sys

from django.conf import settings


def _load_settings(**env) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL"))}
    return subprocess.run(
        [sys.executable, "-c", "import config.settings as s; print(s.DATABASES['default']['ENGINE'], s.DEBUG)"],
        cwd=settings.BASE_DIR,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = _load_settings(DJANGO_DEBUG="false")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in result.stderr


def test_production_starts_with_a_secret_key():
    result = _load_settings(DJANGO_DEBUG="false", DJANGO_SECRET_KEY="a-long-random-production-secret")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["django.db.backends.sqlite3", "False"]


def test_database_url_selects_postgresql():
    result = _load_settings(DJANGO_DEBUG="true", DATABASE_URL="postgres://postgres@127.0.0.1:5432/postgres")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["django.db.backends.postgresql", "True"]


def _values(*names, **env) -> dict:
    """The named settings as loaded in a fresh interpreter with only `env` configured."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL"))}
    clean = {k: v for k, v in clean.items() if k not in {"DRIVER_DASHBOARD_PORT", "SIMULATOR_PORT", "CENTRAL_HTTP_URL"}}
    code = f"import json, config.settings as s; print(json.dumps({{n: getattr(s, n) for n in {list(names)!r}}}))"
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=settings.BASE_DIR,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_debug_is_off_unless_asked_for():
    """A production process started without DJANGO_DEBUG serves no debug page (and refuses to start keyless)."""
    assert _values("DEBUG", DJANGO_SECRET_KEY="a-long-random-production-secret") == {"DEBUG": False}
    keyless = _load_settings()
    assert keyless.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in keyless.stderr
    assert "DJANGO_DEBUG=true" in keyless.stderr  # says how to run for development
    assert _values("DEBUG", DJANGO_DEBUG="true") == {"DEBUG": True}


def test_cors_origins_follow_the_dashboard_port():
    assert _values("CORS_ALLOWED_ORIGINS", DJANGO_DEBUG="true", DRIVER_DASHBOARD_PORT="9123") == {
        "CORS_ALLOWED_ORIGINS": ["http://localhost:9123", "http://127.0.0.1:9123"]
    }
    assert _values("CORS_ALLOWED_ORIGINS", DJANGO_DEBUG="true") == {
        "CORS_ALLOWED_ORIGINS": ["http://localhost:8100", "http://127.0.0.1:8100"]
    }


def test_central_url_default_follows_the_simulator_port():
    assert _values("CENTRAL_HTTP_URL", DJANGO_DEBUG="true", SIMULATOR_PORT="9124") == {
        "CENTRAL_HTTP_URL": "http://127.0.0.1:9124"
    }
    assert _values("CENTRAL_HTTP_URL", DJANGO_DEBUG="true", SIMULATOR_PORT="9124", CENTRAL_HTTP_URL="http://c:1") == {
        "CENTRAL_HTTP_URL": "http://c:1"
    }


def test_booleans_are_parsed_strictly():
    result = _load_settings(DJANGO_DEBUG="true", CENTRAL_VERIFY_TLS="flase")
    assert result.returncode != 0
    assert "CENTRAL_VERIFY_TLS='flase' is not a boolean" in result.stderr
