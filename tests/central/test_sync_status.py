"""GET /sync-status: how the poll of central is going (written by the poll)."""

from datetime import UTC, datetime, timedelta

from django.utils import timezone

from central.models import CentralSyncState

URL = "/sync-status"


def test_never_polled(anon_client, db):
    response = anon_client.get(URL)

    assert response.status_code == 200
    assert response.json() == {
        "central_reachable": False,
        "last_success_at": None,
        "last_attempt_at": None,
        "unreachable_since": None,
        "stale": True,
        "last_error": None,
    }
    assert not CentralSyncState.objects.exists()


def test_fresh_successful_poll(anon_client, db):
    now = timezone.now().replace(microsecond=0)
    CentralSyncState.objects.create(last_success_at=now, last_attempt_at=now)

    body = anon_client.get(URL).json()

    stamp = now.isoformat().replace("+00:00", "Z")
    assert body == {
        "central_reachable": True,
        "last_success_at": stamp,
        "last_attempt_at": stamp,
        "unreachable_since": None,
        "stale": False,
        "last_error": None,
    }


def test_central_unreachable_for_a_while(anon_client, db):
    last_success = datetime(2025, 10, 25, 12, tzinfo=UTC)
    now = timezone.now()
    CentralSyncState.objects.create(
        last_success_at=last_success,
        last_attempt_at=now,
        unreachable_since=last_success + timedelta(seconds=2),
        last_error="GET http://central/cp failed: connection refused",
    )

    body = anon_client.get(URL).json()

    assert body["central_reachable"] is False
    assert body["stale"] is True
    assert body["last_success_at"] == "2025-10-25T12:00:00Z"
    assert body["unreachable_since"] == "2025-10-25T12:00:02Z"
    assert body["last_error"] == "GET http://central/cp failed: connection refused"


def test_sync_status_ignores_credentials(anon_client, db):
    anon_client.credentials(HTTP_AUTHORIZATION="Token stale-token")

    assert anon_client.get(URL).status_code == 200
