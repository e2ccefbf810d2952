"""The request side of the on-demand poll (config/activity.py): a driver's request marks activity, and the first
one after a quiet spell fetches a fresh picture of central at once (Celery is eager here: the poll runs inline)."""

import pytest
from django.core.cache import cache

from central.models import CentralSyncState
from central.sync.demand import central_poll_needed
from central.tasks import poll_central
from chargingpoints.models import ChargingPoint, PointStatus
from common import activity
from common.activity import activity_forget_mark, activity_key
from tests.activity import quiet_spell
from tests.fakes.central_http import central_cp

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def quiet(settings):
    """Activity marking on (the suite turns it off), and a quiet spell: no marker."""
    with quiet_spell(settings):
        yield


def _polls() -> int:
    state = CentralSyncState.objects.filter(singleton=1).first()
    return state.poll_number if state else 0


def test_the_first_request_after_a_quiet_spell_fetches_a_fresh_picture(alice_client, cp, fake_central):
    # Central has a new picture the idle poll has not fetched yet.
    fake_central.charging_points = [central_cp(cp.cp_id, engine_state="SUPPLYING", current_driver="driver-bob")]
    assert ChargingPoint.objects.get(pk=cp.pk).status == PointStatus.FREE

    response = alice_client.get("/charging-points")

    assert response.status_code == 200
    assert _polls() == 1
    assert ChargingPoint.objects.get(pk=cp.pk).status == PointStatus.OCCUPIED
    assert central_poll_needed() is True  # beat takes over at full pace


def test_later_requests_only_keep_the_marker_alive(alice_client, cp, fake_central):
    fake_central.charging_points = [central_cp(cp.cp_id)]
    alice_client.get("/charging-points")
    assert _polls() == 1

    activity_forget_mark()  # as if MARK_EVERY_SECONDS had passed: this request writes the marker again
    alice_client.get("/charging-points")

    assert _polls() == 1
    assert cache.get(activity_key()) is not None


def test_a_process_writes_the_marker_at_most_every_few_seconds(alice_client, cp, fake_central, monkeypatch):
    fake_central.charging_points = [central_cp(cp.cp_id)]
    writes = []
    for name in ("add", "set"):
        original = getattr(cache, name)

        def counted(*args, _original=original, _name=name, **kwargs):
            if args and args[0] == activity_key():
                writes.append(_name)
            return _original(*args, **kwargs)

        monkeypatch.setattr(cache, name, counted)

    for _ in range(5):
        assert alice_client.get("/charging-points").status_code == 200

    assert writes == ["add"]


@pytest.mark.parametrize("path", ["/health", "/health/ready", "/favicon.ico", "/static/dashboard/css/app.css"])
def test_health_checks_and_static_files_are_not_a_driver(anon_client, path):
    anon_client.get(path)

    assert cache.get(activity_key()) is None
    assert _polls() == 0


def test_a_broker_that_cannot_take_the_poll_does_not_fail_the_request(alice_client, cp, monkeypatch):
    def broken(*args, **kwargs):
        raise ConnectionError("broker down")

    monkeypatch.setattr(poll_central, "apply_async", broken)

    assert alice_client.get("/charging-points").status_code == 200
    assert cache.get(activity_key()) is not None


def test_a_cache_that_cannot_take_the_marker_does_not_fail_the_request(alice_client, cp, monkeypatch):
    def broken(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(activity.cache, "add", broken)

    assert alice_client.get("/charging-points").status_code == 200
    assert _polls() == 0
