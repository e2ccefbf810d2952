"""The migrations match the models, whatever the interpreter's hash seed (set and frozenset order)."""

import os
import subprocess
import sys

import pytest
from django.conf import settings

# Several seeds: before the fix, every one of 0-5 made `makemigrations` want to re-create a constraint.
HASH_SEEDS = ["0", "1", "2", "3", "4", "5"]


@pytest.mark.parametrize("seed", HASH_SEEDS)
def test_makemigrations_finds_no_changes_under_any_hash_seed(seed):
    result = subprocess.run(
        [sys.executable, "manage.py", "makemigrations", "--check", "--dry-run"],
        cwd=settings.BASE_DIR,
        env={**os.environ, "PYTHONHASHSEED": seed, "DJANGO_SETTINGS_MODULE": "config.settings.test"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, f"PYTHONHASHSEED={seed}:\n{result.stdout}{result.stderr}"
    assert "No changes detected" in result.stdout
