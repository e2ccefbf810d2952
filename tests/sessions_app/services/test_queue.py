"""The waiting list in front of busy points (sessions_app.services.queue), through the real services."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from central.gateway.messages import DriverUpdate
from central.models import OutboxMessage
from central.sync.outbox import outbox_resend_unsent
from central.sync.updates import session_apply_update
from chargingpoints.models import PointStatus
from notifications.models import Notification
from sessions_app.models import ChargingSession
from sessions_app.services.lifecycle import session_cancel, session_request
from sessions_app.services.queue import queue_dispatch_head, queues_drop_stale
from sessions_app.services.timeouts import sessions_expire_unanswered
from sessions_app.status import SessionStatus
from tests.factories import ChargingPointFactory, DriverFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def busy(db):
    return ChargingPointFactory(cp_id="CP-BUSY", status=PointStatus.OCCUPIED)


def drivers(count: int):
    return [DriverFactory(driver_id=f"driver-{index}") for index in range(count)]


def request(driver, point):
    return session_request(driver=driver, cp_id=point.cp_id, vehicle_id="v")


def positions(point) -> dict[str, int | None]:
    rows = ChargingSession.objects.filter(charging_point=point, status=SessionStatus.PENDING).order_by("id")
    return {row.driver.driver_id: row.queue_position for row in rows}


def queue_notes(driver) -> list[str]:
    notes = Notification.objects.filter(driver=driver, type=Notification.Type.QUEUE).order_by("id")
    return list(notes.values_list("message", flat=True))


def test_a_request_for_a_busy_point_waits_and_is_not_sent(busy):
    first, second = drivers(2)
    one, two = request(first, busy), request(second, busy)
    assert (one.queue_position, two.queue_position) == (1, 2)
    assert OutboxMessage.objects.count() == 0
    assert queue_notes(first) == ["You're next at CP-BUSY: your request goes to central as soon as the point is free"]
    assert queue_notes(second) == ["You're #2 in the queue at CP-BUSY"]


def test_a_request_for_a_free_point_with_nobody_waiting_goes_to_central(db):
    point = ChargingPointFactory(status=PointStatus.FREE)
    session = request(DriverFactory(), point)
    assert session.queue_position is None and session.sent_to_central_at is not None
    assert OutboxMessage.objects.filter(session=session).count() == 1


def test_a_free_point_with_drivers_waiting_is_not_jumped(busy):
    first, second = drivers(2)
    request(first, busy)
    busy.status = PointStatus.FREE
    busy.save()
    assert request(second, busy).queue_position == 2


@pytest.mark.parametrize("offline_waits", [True, False])
def test_an_offline_point_queues_only_when_the_setting_says_so(db, settings, offline_waits):
    settings.QUEUE_WHEN_OFFLINE = offline_waits
    point = ChargingPointFactory(status=PointStatus.OFFLINE)
    session = request(DriverFactory(), point)
    assert (session.queue_position == 1) is offline_waits


def test_the_head_is_sent_when_the_point_is_free_and_the_others_move_up(busy):
    first, second, third = drivers(3)
    for driver in (first, second, third):
        request(driver, busy)
    assert queue_dispatch_head(busy.pk) is None  # still occupied
    busy.status = PointStatus.FREE
    busy.save()

    sent = queue_dispatch_head(busy.pk)

    assert sent.driver == first and OutboxMessage.objects.get().session_id == sent.pk
    assert positions(busy) == {"driver-0": None, "driver-1": 1, "driver-2": 2}
    assert queue_notes(first)[-1] == "Your turn at CP-BUSY: request sent to central"
    assert queue_notes(second)[-1].startswith("You're next at CP-BUSY")
    assert queue_notes(third)[-1] == "You're #2 in the queue at CP-BUSY"
    # The sent request is in flight: nobody else goes until it is answered.
    assert queue_dispatch_head(busy.pk) is None


def denied(session, reason):
    return session_apply_update(
        DriverUpdate(
            request_id=session.request_id,
            driver_id=session.driver.driver_id,
            cp_id=session.charging_point.cp_id,
            status="denied",
            reason=reason,
        )
    )


def test_a_head_denied_because_someone_outside_took_the_point_goes_back_to_the_head(busy):
    first, second = drivers(2)
    head, _ = request(first, busy), request(second, busy)
    busy.status = PointStatus.FREE
    busy.save()
    queue_dispatch_head(busy.pk)

    assert denied(head, "Charging point not available (state: SUPPLYING)") == "applied"
    assert denied(head, "Charging point not available (state: SUPPLYING)") == "noop"  # replayed: nothing more

    head.refresh_from_db()
    assert (head.status, head.queue_position, head.sent_to_central_at) == ("PENDING", 1, None)
    assert positions(busy) == {"driver-0": 1, "driver-1": 2}
    assert queue_notes(first)[-1] == "CP-BUSY was taken just before your turn; you're back at the front of the queue"
    assert queue_notes(second)[-1] == "You're #2 in the queue at CP-BUSY"


def test_a_head_denied_for_another_reason_is_denied(busy):
    head = request(DriverFactory(), busy)
    busy.status = PointStatus.FREE
    busy.save()
    queue_dispatch_head(busy.pk)
    denied(head, "CP not authorised")
    head.refresh_from_db()
    assert (head.status, head.queue_position) == ("DENIED", None)


def test_leaving_the_queue_is_the_cancel_and_the_others_move_up(busy):
    first, second = drivers(2)
    leaving, staying = request(first, busy), request(second, busy)
    session_cancel(driver=first, request_id=leaving.request_id)
    leaving.refresh_from_db()
    staying.refresh_from_db()
    assert (leaving.status, leaving.queue_position, leaving.central_stop_pending) == ("CANCELLED", None, False)
    assert staying.queue_position == 1
    assert queue_notes(second)[-1].startswith("You're next at CP-BUSY")


def test_a_queued_request_does_not_time_out_but_a_sent_one_counts_from_when_it_was_sent(busy, settings):
    settings.REQUEST_TIMEOUT_SECONDS = 30
    waiting = request(DriverFactory(), busy)
    ChargingSession.objects.filter(pk=waiting.pk).update(requested_at=timezone.now() - timedelta(hours=1))
    assert sessions_expire_unanswered() == 0

    busy.status = PointStatus.FREE
    busy.save()
    queue_dispatch_head(busy.pk)
    assert sessions_expire_unanswered() == 0  # sent just now, although requested an hour ago
    assert sessions_expire_unanswered(now=timezone.now() + timedelta(seconds=31)) == 1


def test_queued_requests_are_never_resent_by_the_outbox(busy):
    request(DriverFactory(), busy)
    assert outbox_resend_unsent() == 0 and OutboxMessage.objects.count() == 0


def test_a_queue_whose_point_stays_offline_is_dropped_with_a_notification(busy, settings):
    settings.QUEUE_OFFLINE_DROP_SECONDS = 600
    first, second = drivers(2)
    request(first, busy), request(second, busy)
    busy.status, busy.status_changed_at = PointStatus.OFFLINE, timezone.now() - timedelta(minutes=5)
    busy.save()
    assert queues_drop_stale() == 0
    busy.status_changed_at = timezone.now() - timedelta(minutes=11)
    busy.save()
    assert queues_drop_stale() == 2
    reasons = set(ChargingSession.objects.values_list("status", "reason"))
    assert reasons == {("FAILED", "Removed from the queue: CP-BUSY has been offline for 10 minutes")}
    assert Notification.objects.filter(driver=first, message__startswith="Session at CP-BUSY failed").count() == 1


def test_a_request_that_waited_too_long_is_dropped_and_the_next_moves_up(busy, settings):
    settings.QUEUE_MAX_WAIT_SECONDS = 3600
    first, second = drivers(2)
    old, newer = request(first, busy), request(second, busy)
    ChargingSession.objects.filter(pk=old.pk).update(queued_at=timezone.now() - timedelta(hours=2))
    assert queues_drop_stale() == 1
    old.refresh_from_db()
    newer.refresh_from_db()
    assert (old.status, old.reason) == ("FAILED", "Removed from the queue after waiting 1 hours at CP-BUSY")
    assert newer.queue_position == 1


@pytest.mark.django_db(transaction=True)
def test_drivers_asking_at_the_same_moment_get_different_places_decided_by_the_database():
    point = ChargingPointFactory(cp_id="CP-RUSH", status=PointStatus.OCCUPIED)
    clients = []
    for index in range(6):
        driver = DriverFactory(user=UserFactory(username=f"rush-{index}"), driver_id=f"driver-rush-{index}")
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=driver.user).key}")
        clients.append((driver, client))
    start = threading.Barrier(len(clients))
    answers = {}

    def ask(driver, client):
        start.wait()
        try:
            answers[driver.driver_id] = client.post(
                f"/drivers/{driver.driver_id}/requests", {"cp_id": "CP-RUSH", "vehicle_id": "v"}, format="json"
            )
        finally:
            connection.close()

    threads = [threading.Thread(target=ask, args=pair) for pair in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(response.status_code for response in answers.values()) == [202] * 6
    assert sorted(response.json()["queue_position"] for response in answers.values()) == [1, 2, 3, 4, 5, 6]
    assert sorted(positions(point).values()) == [1, 2, 3, 4, 5, 6]
