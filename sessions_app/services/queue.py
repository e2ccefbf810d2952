"""The dashboard's waiting list in front of a busy point: central keeps none (it denies a busy point at once).

A request for an OCCUPIED point (or, with QUEUE_WHEN_OFFLINE, an OFFLINE one), or for a point where others
already wait, stays PENDING with `queue_position` 1, 2, … and is not sent to central. When the poll shows the
point FREE and nothing of ours is in flight there, the head is sent; if central then denies it because someone
outside this dashboard took the point, it goes back to the head. A queued request does not time out; it is
dropped when its point stays OFFLINE longer than QUEUE_OFFLINE_DROP_SECONDS or after QUEUE_MAX_WAIT_SECONDS.

Every change of a point's queue happens under that point's row lock (`SELECT … FOR UPDATE` on the charging
point, taken before any session row), so two drivers asking at the same moment get different positions,
decided by the database. Each driver whose position changes gets one QUEUE notification.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from chargingpoints.models import ChargingPoint, PointStatus
from notifications.services import notification_queue
from sessions_app.models import ChargingSession, SessionTransition
from sessions_app.ports import central_port
from sessions_app.services.push import session_event_publish
from sessions_app.services.transitions import session_transition
from sessions_app.status import SessionStatus

logger = logging.getLogger(__name__)

# Central's reason when a point is busy, faulty or switched off ("Charging point not available (state: …)").
POINT_TAKEN_PREFIX = "Charging point not available"


def point_lock(point_pk: int) -> ChargingPoint:
    """Lock a point's row for the rest of the transaction: the queue's one serialisation point."""
    return ChargingPoint.objects.select_for_update().get(pk=point_pk)


def _queued_at(point_pk: int):
    return ChargingSession.objects.filter(
        charging_point_id=point_pk, status=SessionStatus.PENDING, queue_position__isnull=False
    ).order_by("queue_position", "queued_at", "id")


def queue_holds(point: ChargingPoint) -> bool:
    """Must a new request at this (locked) point wait? Yes while others wait, or the point is not free."""
    if _queued_at(point.pk).exists():
        return True
    if point.status == PointStatus.OCCUPIED:
        return True
    return point.status == PointStatus.OFFLINE and settings.QUEUE_WHEN_OFFLINE


def _position_message(cp_id: str, position: int) -> str:
    if position == 1:
        return f"You're next at {cp_id}: your request goes to central as soon as the point is free"
    return f"You're #{position} in the queue at {cp_id}"


def queue_join(session: ChargingSession, point: ChargingPoint, *, now) -> int:
    """Put a new request (in the caller's transaction, its point locked) at the end of the point's queue."""
    position = _queued_at(point.pk).count() + 1
    ChargingSession.objects.filter(pk=session.pk).update(queue_position=position, queued_at=now)
    session.queue_position, session.queued_at = position, now
    notification_queue(session=session, message=_position_message(point.cp_id, position))
    session_event_publish(driver=session.driver)
    logger.info("request %s waits at %s (#%s)", session.request_id, point.cp_id, position)
    return position


def _renumber(point: ChargingPoint) -> int:
    """Positions 1..n in queue order; each driver whose position changed is told once. Returns how many moved."""
    moved = 0
    for position, session in enumerate(_queued_at(point.pk).select_related("driver", "charging_point"), start=1):
        if session.queue_position == position:
            continue
        ChargingSession.objects.filter(pk=session.pk).update(queue_position=position)
        session.queue_position = position
        notification_queue(session=session, message=_position_message(point.cp_id, position))
        session_event_publish(driver=session.driver)
        moved += 1
    return moved


def queue_left(point_pk: int) -> int:
    """After a queued request left (cancelled, dropped): move the ones behind it up."""
    with transaction.atomic():
        return _renumber(point_lock(point_pk))


def _in_flight_at(point: ChargingPoint) -> bool:
    """Does one of our requests already hold the point or wait for central's answer there?"""
    return (
        ChargingSession.objects.filter(charging_point_id=point.pk)
        .filter(
            Q(status=SessionStatus.PENDING, queue_position__isnull=True)
            | Q(status__in=(SessionStatus.APPROVED, SessionStatus.CHARGING))
        )
        .exists()
    )


def queue_dispatch_head(point_pk: int, *, now=None) -> ChargingSession | None:
    """If the point is FREE and nothing of ours is in flight there, send the head of its queue to central.

    Returns the session sent, or None. Safe to call from overlapping runs (the point's lock decides).
    """
    now = now or timezone.now()
    with transaction.atomic():
        point = point_lock(point_pk)
        if point.status != PointStatus.FREE or _in_flight_at(point):
            return None
        head = _queued_at(point.pk).select_related("driver", "charging_point").first()
        if head is None:
            return None
        ChargingSession.objects.filter(pk=head.pk).update(queue_position=None, sent_to_central_at=now)
        head.queue_position, head.sent_to_central_at = None, now
        central_port().request_created(head)
        notification_queue(session=head, message=f"Your turn at {point.cp_id}: request sent to central")
        _renumber(point)
    logger.info("request %s left the queue at %s: sent to central", head.request_id, point.cp_id)
    return head


def queue_requeue_denied(session: ChargingSession, reason: str) -> bool:
    """Central denied a request sent from the queue because the point was taken (by someone outside this
    dashboard): it goes back to the head instead of failing. Returns whether it did."""
    if not reason.startswith(POINT_TAKEN_PREFIX) or session.queued_at is None:
        return False
    with transaction.atomic():
        point = point_lock(session.charging_point_id)
        locked = ChargingSession.objects.select_for_update(of=("self",)).get(pk=session.pk)
        if locked.status != SessionStatus.PENDING or locked.queue_position is not None:
            return False
        waiting = list(_queued_at(point.pk).select_related("driver", "charging_point"))
        for behind in waiting:  # make room at the front; each is told its new place below
            ChargingSession.objects.filter(pk=behind.pk).update(queue_position=behind.queue_position + 1)
        ChargingSession.objects.filter(pk=locked.pk).update(queue_position=1, sent_to_central_at=None)
        locked.queue_position = 1
        notification_queue(
            session=locked,
            message=f"{point.cp_id} was taken just before your turn; you're back at the front of the queue",
        )
        for behind in waiting:
            notification_queue(session=behind, message=_position_message(point.cp_id, behind.queue_position + 1))
    logger.info("request %s denied at %s (%s): back at the head of the queue", session.request_id, point.cp_id, reason)
    return True


def queues_with_waiting() -> list[int]:
    """Points where somebody waits."""
    return list(
        ChargingSession.objects.filter(status=SessionStatus.PENDING, queue_position__isnull=False)
        .values_list("charging_point_id", flat=True)
        .distinct()
    )


def queues_drop_stale(*, now=None) -> int:
    """Drop queued requests whose point stayed OFFLINE for QUEUE_OFFLINE_DROP_SECONDS, or that waited
    QUEUE_MAX_WAIT_SECONDS: FAILED with the reason (the driver is told), the others move up."""
    now = now or timezone.now()
    offline_since = now - timedelta(seconds=settings.QUEUE_OFFLINE_DROP_SECONDS)
    waited_since = now - timedelta(seconds=settings.QUEUE_MAX_WAIT_SECONDS)
    stale = (
        ChargingSession.objects.select_related("charging_point")
        .filter(status=SessionStatus.PENDING, queue_position__isnull=False)
        .filter(
            Q(charging_point__status=PointStatus.OFFLINE, charging_point__status_changed_at__lt=offline_since)
            | Q(queued_at__lt=waited_since)
        )
    )
    dropped = 0
    for session in stale:
        point = session.charging_point
        if point.status == PointStatus.OFFLINE and point.status_changed_at < offline_since:
            minutes = round(settings.QUEUE_OFFLINE_DROP_SECONDS / 60)
            reason = f"Removed from the queue: {point.cp_id} has been offline for {minutes} minutes"
        else:
            hours = round(settings.QUEUE_MAX_WAIT_SECONDS / 3600, 1)
            reason = f"Removed from the queue after waiting {hours:g} hours at {point.cp_id}"
        with transaction.atomic():
            point_lock(point.pk)
            still_queued = ChargingSession.objects.filter(
                pk=session.pk, status=SessionStatus.PENDING, queue_position__isnull=False
            ).exists()
            if not still_queued:  # sent to central or cancelled meanwhile
                continue
            _, changed = session_transition(
                session=session.pk,
                to_status=SessionStatus.FAILED,
                source=SessionTransition.Source.TIMEOUT,
                reason=reason,
                at=now,
                strict=False,
                from_statuses=(SessionStatus.PENDING,),
            )
            if changed:
                _renumber(point)
        dropped += changed
    return dropped
