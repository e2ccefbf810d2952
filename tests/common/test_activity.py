"""The driver-activity marker (common/activity.py) is seen by every process: here through Redis (db 13), as
deployed with REDIS_URL, between this test and a separate Python process with the product's own settings."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
import redis
from django.conf import settings as django_settings
from django.core.cache import cache

from central.sync.demand import central_poll_needed, central_work_record
from common.activity import activity_key, activity_mark
from tests.activity import quiet_spell

REDIS_URL = "redis://127.0.0.1:6379/13"
BASE_DIR = Path(__file__).resolve().parents[2]

OTHER_PROCESS = """
import sys
import django
django.setup()
from common.activity import activity_mark
from central.sync.demand import central_poll_needed
print(central_poll_needed(), activity_mark(), flush=True)
"""


@pytest.fixture
def shared_redis(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
    with quiet_spell(settings):
        yield


def _other_process() -> tuple[str, str]:
    """In a new process (as web, the events process or beat on another host): is the poll needed, then mark
    activity; returns both answers as printed."""
    db = django_settings.DATABASES["default"]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        # The same database name as this test run: the marker is per database.
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "REDIS_URL": REDIS_URL,
    }
    env.pop("CENTRAL_POLL_ACTIVE_SECONDS", None)
    out = subprocess.run(
        [sys.executable, "-c", OTHER_PROCESS], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 0, out.stderr[-3000:]
    needed, woke = out.stdout.split()
    return needed, woke


def test_a_mark_in_one_process_is_seen_in_another_and_back(shared_redis, db):
    assert redis.Redis.from_url(REDIS_URL).ping()
    assert central_poll_needed() is False

    # Another process marks activity (the first mark of a quiet spell): this one sees a driver active.
    assert _other_process() == ("False", "True")
    assert central_poll_needed() is True

    # And the other way round: what this process records (the poll's follow-up work) is seen there.
    cache.delete(activity_key())
    central_work_record(True)
    assert _other_process() == ("True", "True")


def test_the_marker_runs_out_by_itself(shared_redis, db):
    assert activity_mark() is True
    ttl = redis.Redis.from_url(REDIS_URL).ttl(f":1:{activity_key()}")
    assert 55 <= ttl <= 60
