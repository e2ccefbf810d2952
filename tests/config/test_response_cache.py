"""config/response_cache.py: a repeated polled read is answered from Redis without the view, and never after the
data it was computed from changed — whoever wrote it, however, and in whichever order with the read."""

import threading
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from drivers.models import Watch
from events.versions import store
from notifications.models import Notification
from sessions_app.models import ChargingSession
from sessions_app.status import SessionStatus
from tests.factories import (
    BroadcastAlertFactory,
    ChargingPointFactory,
    ChargingSessionFactory,
    NotificationFactory,
)

CURRENT = "/drivers/driver-alice/sessions/current"
NOTIFICATIONS = "/drivers/driver-alice/notifications"
ALERTS = "/drivers/driver-alice/alerts"
WATCHES = "/drivers/driver-alice/watches"


def _client(driver, **headers) -> APIClient:
    client = APIClient(**headers)
    token, _ = Token.objects.get_or_create(user=driver.user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@pytest.fixture(autouse=True)
def _fresh_store():
    store.reset()
    yield
    store.reset()


class _Clock:
    def __init__(self, now):
        self.now = now


def _clock_at(monkeypatch, moment) -> _Clock:
    """Django's clock, held at `moment` until the test moves it (`clock.now = ...`)."""
    clock = _Clock(moment)
    monkeypatch.setattr(timezone, "now", lambda: clock.now)
    return clock


def _wait(response, cp_id: str) -> int:
    return next(point["estimated_wait_minutes"] for point in response.json() if point["cp_id"] == cp_id)


@pytest.fixture
def charging(alice):
    return ChargingSessionFactory(driver=alice, status=SessionStatus.CHARGING, energy_kwh=1.5, cost_eur=0.45)


@pytest.mark.django_db
class TestAnsweredFromTheCache:
    def test_a_repeated_read_runs_no_query_and_answers_the_same(self, alice, charging, django_assert_num_queries):
        client = _client(alice)
        first = client.get(CURRENT)

        with django_assert_num_queries(0):
            again = client.get(CURRENT)

        assert (again.status_code, again.content, again["ETag"]) == (200, first.content, first["ETag"])
        assert again.json()["status"] == "CHARGING"
        assert again["Content-Type"] == first["Content-Type"]
        assert again["Vary"] == first["Vary"]
        assert again["X-Content-Type-Options"] == "nosniff"

    def test_a_matching_if_none_match_is_a_304_without_a_query(self, alice, charging, django_assert_num_queries):
        client = _client(alice)
        etag = client.get(CURRENT)["ETag"]

        with django_assert_num_queries(0):
            response = client.get(CURRENT, HTTP_IF_NONE_MATCH=etag)

        assert (response.status_code, response.content, response["ETag"]) == (304, b"", etag)

    def test_a_read_that_is_computed_still_answers_its_304(self, alice, charging):
        # A miss computes the whole answer (to keep it), then applies the client's condition.
        etag = _client(alice).get(CURRENT)["ETag"]

        response = _client(alice).get(CURRENT, HTTP_IF_NONE_MATCH=etag, HTTP_ACCEPT="application/json")

        assert response.status_code == 304

    def test_gzip_and_plain_are_kept_apart(self, alice):
        NotificationFactory.create_batch(5, driver=alice)  # over gzip's 200-byte floor
        client = _client(alice)
        plain = client.get(NOTIFICATIONS)
        zipped = client.get(NOTIFICATIONS, HTTP_ACCEPT_ENCODING="gzip")
        plain_again = client.get(NOTIFICATIONS)

        assert zipped["Content-Encoding"] == "gzip"
        assert plain_again.content == plain.content
        assert not plain_again.has_header("Content-Encoding")

    def test_the_browsable_api_is_not_given_the_json(self, alice, charging):
        client = _client(alice)
        client.get(CURRENT)

        html = client.get(CURRENT, HTTP_ACCEPT="text/html")

        assert html["Content-Type"].startswith("text/html")


@pytest.mark.django_db
class TestNeverStale:
    def test_a_write_through_the_api_shows_on_the_next_read(self, alice, cp):
        client = _client(alice)
        assert client.get(CURRENT).json() is None

        created = client.post("/drivers/driver-alice/requests", {"cp_id": cp.cp_id, "vehicle_id": "v-1"}, format="json")
        assert created.status_code == 202

        assert client.get(CURRENT).json()["status"] == "PENDING"

    def test_a_raw_sql_update_shows_on_the_next_read(self, alice, charging):
        client = _client(alice)
        assert client.get(CURRENT).json()["energy_kwh"] == 1.5

        with connection.cursor() as cursor:
            cursor.execute(
                f'UPDATE "{ChargingSession._meta.db_table}" SET "energy_kwh" = %s WHERE "id" = %s', [2.5, charging.pk]
            )

        assert client.get(CURRENT).json()["energy_kwh"] == 2.5

    def test_a_bulk_update_and_a_delete_show_on_the_next_read(self, alice):
        client = _client(alice)
        NotificationFactory(driver=alice, message="first")
        assert [n["message"] for n in client.get(NOTIFICATIONS).json()] == ["first"]

        Notification.objects.filter(driver=alice).update(message="changed")
        assert [n["message"] for n in client.get(NOTIFICATIONS).json()] == ["changed"]

        Notification.objects.filter(driver=alice).delete()
        assert client.get(NOTIFICATIONS).json() == []

    def test_a_deleted_token_is_refused_though_its_answer_was_kept(self, alice, charging):
        client = _client(alice)
        assert client.get(CURRENT).status_code == 200

        Token.objects.filter(user=alice.user).delete()

        assert client.get(CURRENT).status_code == 401

    def test_two_drivers_never_share_an_answer(self, alice, bob, charging):
        alice_client, bob_client = _client(alice), _client(bob)
        assert alice_client.get(CURRENT).status_code == 200

        # Bob asks for alice's path: still invisible to him, however often alice's answer was kept.
        assert bob_client.get(CURRENT).status_code == 404
        assert bob_client.get("/drivers/driver-bob/sessions/current").json() is None

    def test_a_request_with_a_session_cookie_is_never_answered_from_the_cache(self, alice, charging):
        token = Token.objects.get_or_create(user=alice.user)[0].key
        _client(alice).get(CURRENT)
        browser = APIClient()
        browser.force_login(alice.user)

        with CaptureQueriesContext(connection) as queries:
            response = browser.get(CURRENT, HTTP_AUTHORIZATION=f"Token {token}")

        assert response.json()["status"] == "CHARGING"
        assert len(queries) >= 1  # the view ran

    def test_a_wait_estimate_is_kept_until_its_next_minute_and_no_longer(
        self, settings, monkeypatch, alice, bob, django_assert_num_queries
    ):
        settings.DEFAULT_SESSION_MINUTES = 30
        start = timezone.now()
        clock = _clock_at(monkeypatch, start)
        point = ChargingPointFactory(cp_id="CP-009", status="OCCUPIED")
        ChargingSessionFactory(
            driver=bob, charging_point=point, status=SessionStatus.CHARGING, started_at=start - timedelta(seconds=90)
        )
        client = _client(alice)
        first = client.get("/charging-points")
        assert _wait(first, "CP-009") == 29  # 30 typical − 1.5 run: 28.5, rounded up; 28 from 30 s on

        clock.now = start + timedelta(seconds=29)
        with django_assert_num_queries(0):
            assert client.get("/charging-points").content == first.content
        clock.now = start + timedelta(seconds=31)
        assert _wait(client.get("/charging-points"), "CP-009") == 28

    def test_an_alert_appears_when_its_window_opens_and_goes_when_it_closes(self, monkeypatch, alice):
        start = timezone.now()
        clock = _clock_at(monkeypatch, start)
        BroadcastAlertFactory(
            title="Works", effective_at=start + timedelta(minutes=1), expires_at=start + timedelta(minutes=2)
        )
        client = _client(alice)
        titles = lambda: [alert["title"] for alert in client.get(ALERTS).json()]  # noqa: E731

        assert titles() == []
        clock.now = start + timedelta(seconds=59)
        assert titles() == []
        clock.now = start + timedelta(seconds=60)
        assert titles() == ["Works"]
        clock.now = start + timedelta(seconds=119)
        assert titles() == ["Works"]
        clock.now = start + timedelta(seconds=120)
        assert titles() == []

    def test_an_expired_watch_leaves_the_list_at_its_expiry(self, monkeypatch, alice):
        start = timezone.now()
        clock = _clock_at(monkeypatch, start)
        point = ChargingPointFactory(cp_id="CP-009", status="OCCUPIED")
        Watch.objects.create(driver=alice, charging_point=point, expires_at=start + timedelta(minutes=5))
        client = _client(alice)

        assert [w["cp_id"] for w in client.get(WATCHES).json()] == ["CP-009"]
        clock.now = start + timedelta(minutes=5)
        assert client.get(WATCHES).json() == []

    def test_an_answer_over_the_size_limit_is_not_kept(self, settings, alice):
        settings.API_RESPONSE_CACHE_MAX_BYTES = 100
        NotificationFactory.create_batch(5, driver=alice)
        client = _client(alice)
        client.get(NOTIFICATIONS)

        with CaptureQueriesContext(connection) as queries:
            assert len(client.get(NOTIFICATIONS).content) > 100
        assert len(queries) >= 1  # computed again: nothing was kept

    def test_with_redis_away_every_read_runs_the_view(self, settings, alice, charging):
        settings.API_RESPONSE_CACHE_REDIS_URL = "redis://127.0.0.1:1/0"
        store.reset()
        client = _client(alice)

        assert client.get(CURRENT).json()["status"] == "CHARGING"
        ChargingSession.objects.filter(pk=charging.pk).update(status=SessionStatus.COMPLETED)
        assert client.get(CURRENT).json() is None


@pytest.mark.django_db(transaction=True)
class TestAReadRacingAWrite:
    """Another process commits while a read computes and keeps its answer: both orders."""

    def _write_in_another_connection(self, charging, *, committed: threading.Event, proceed: threading.Event):
        def writer():
            try:
                with transaction.atomic():
                    ChargingSession.objects.filter(pk=charging.pk).update(energy_kwh=9.0)
                    committed.set()  # written, not yet committed
                    proceed.wait(5)
            finally:
                connection.close()

        thread = threading.Thread(target=writer)
        thread.start()
        return thread

    def test_a_read_during_the_writer_s_transaction_is_not_kept_past_its_commit(self, alice):
        charging = ChargingSessionFactory(driver=alice, status=SessionStatus.CHARGING, energy_kwh=1.0)
        client = _client(alice)
        written, proceed = threading.Event(), threading.Event()
        thread = self._write_in_another_connection(charging, committed=written, proceed=proceed)
        assert written.wait(5)

        # The write's statement moved the version, but its row is not committed: this answer shows 1.0, kept.
        assert client.get(CURRENT).json()["energy_kwh"] == 1.0
        proceed.set()
        thread.join(5)

        # The commit moved the version again: the kept answer is obsolete.
        assert client.get(CURRENT).json()["energy_kwh"] == 9.0

    def test_a_read_after_the_writer_s_commit_sees_the_write(self, alice):
        charging = ChargingSessionFactory(driver=alice, status=SessionStatus.CHARGING, energy_kwh=1.0)
        client = _client(alice)
        assert client.get(CURRENT).json()["energy_kwh"] == 1.0  # kept before the write
        written, proceed = threading.Event(), threading.Event()
        thread = self._write_in_another_connection(charging, committed=written, proceed=proceed)
        assert written.wait(5)
        proceed.set()
        thread.join(5)

        assert client.get(CURRENT).json()["energy_kwh"] == 9.0

    def test_a_rolled_back_write_changes_nothing(self, alice):
        charging = ChargingSessionFactory(driver=alice, status=SessionStatus.CHARGING, energy_kwh=1.0)
        client = _client(alice)
        client.get(CURRENT)

        with pytest.raises(RuntimeError), transaction.atomic():
            ChargingSession.objects.filter(pk=charging.pk).update(energy_kwh=7.0)
            raise RuntimeError("rolled back")

        assert client.get(CURRENT).json()["energy_kwh"] == 1.0
