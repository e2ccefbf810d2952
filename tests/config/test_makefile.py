"""`make run` is development mode (the settings alone are production) and says so before anything else."""

import os
import subprocess

from django.conf import settings

MAKE_ENV_DROPPED = ("DJANGO_", "DATABASE_URL", "MAKEFLAGS", "MFLAGS", "MAKELEVEL")


def _make(*args, **env) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(MAKE_ENV_DROPPED)}
    return subprocess.run(
        ["make", "--no-print-directory", *args],
        cwd=settings.BASE_DIR,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_make_run_announces_development_mode_first():
    dry_run = _make("-n", "run")
    assert dry_run.returncode == 0, dry_run.stderr
    first_command = dry_run.stdout.lstrip()
    assert first_command.startswith("case"), dry_run.stdout[:500]  # the dev-mode notice, before install/migrate
    notice = _make("-s", "dev-mode")
    assert notice.stdout.splitlines()[0].startswith("make run: DEVELOPMENT mode (DJANGO_DEBUG=true")
    assert "http://127.0.0.1:8100/" in notice.stdout.splitlines()[1]


def test_make_run_respects_an_explicit_django_debug():
    notice = _make("-s", "dev-mode", DJANGO_DEBUG="false", DRIVER_DASHBOARD_PORT="9125")
    assert notice.stdout.splitlines()[0] == (
        "make run: production settings (DJANGO_DEBUG=false): DJANGO_SECRET_KEY must be set."
    )
    assert "http://127.0.0.1:9125/" in notice.stdout


def test_make_steps_run_in_development_mode_without_configuration(tmp_path):
    """`make migrate` (a step of `make run`) starts although neither DJANGO_DEBUG nor a secret key is set."""
    result = _make("-s", "migrate", DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}")
    assert result.returncode == 0, result.stdout + result.stderr
    assert (tmp_path / "db.sqlite3").stat().st_size > 0
