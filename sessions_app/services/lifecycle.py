"""What a driver does to a session: request, cancel, stop."""

import logging

from django.db import IntegrityError, transaction
from django.utils import timezone

from chargingpoints.models import ChargingPoint
from common.errors import CentralUnavailable, ChargingPointNotFound, ConflictError, NotFoundError
from drivers.models import Driver
from sessions_app.models import ChargingSession, SessionTransition
from sessions_app.ports import central_port
from sessions_app.selectors import session_central_id
from sessions_app.services.push import session_event_publish
from sessions_app.services.queue import point_lock, queue_holds, queue_join, queue_left
from sessions_app.services.transitions import session_transition
from sessions_app.status import OPEN_STATUSES, SessionStatus

logger = logging.getLogger(__name__)


def _open_session_conflict(session: ChargingSession) -> ConflictError:
    return ConflictError(
        f"Driver already has an open session: {session.session_id} "
        f"(request {session.request_id}, {session.status} at {session.charging_point.cp_id})",
        request_id=session.request_id,
        session_id=session.session_id,
    )


def session_request(*, driver: Driver, cp_id: str, vehicle_id: str, preferred_start=None) -> ChargingSession:
    """Create a PENDING session in one transaction: sent to central (an outbox row through the central port),
    or, when the point is busy or others already wait for it, put on its waiting list (sessions_app.services.queue).

    The message is produced to Kafka after commit and re-sent by a periodic task until the broker
    takes it. Raises ChargingPointNotFound, or ConflictError when the driver has an open session
    (the database constraint decides when two requests race).
    """
    charging_point = ChargingPoint.objects.filter(cp_id=cp_id).first()
    if charging_point is None:
        raise ChargingPointNotFound()
    open_session = _open_session_of(driver)
    if open_session:
        raise _open_session_conflict(open_session)
    try:
        with transaction.atomic():
            # The point's lock first: it orders the requests for one point (and their queue positions).
            point = point_lock(charging_point.pk)
            now = timezone.now()
            waits = queue_holds(point)
            session = ChargingSession.objects.create(
                driver=driver,
                charging_point=point,
                vehicle_id=vehicle_id,
                # The price in force now: the receipt's unit price, whatever an operator sets later.
                price_eur_per_kwh=point.price_eur_per_kwh,
                preferred_start=preferred_start,
                status=SessionStatus.PENDING,
                requested_at=now,
                sent_to_central_at=None if waits else now,
            )
            SessionTransition.objects.create(
                session=session,
                from_status="",
                to_status=SessionStatus.PENDING,
                reason=f"Waiting for {cp_id} to be free" if waits else "Request sent to central",
                source=SessionTransition.Source.DRIVER,
                created_at=now,
            )
            if waits:
                queue_join(session, point, now=now)
            else:
                central_port().request_created(session)
            session_event_publish(driver=driver)
    except IntegrityError:
        open_session = _open_session_of(driver)
        if open_session:
            raise _open_session_conflict(open_session) from None
        raise
    logger.info("driver %s requested %s at %s", driver.driver_id, session.request_id, cp_id)
    return session


def _open_session_of(driver: Driver) -> ChargingSession | None:
    return (
        ChargingSession.objects.select_related("charging_point").filter(driver=driver, status__in=OPEN_STATUSES).first()
    )


def _own_session(driver: Driver, **lookup) -> ChargingSession:
    session = ChargingSession.objects.select_related("charging_point", "driver").filter(driver=driver, **lookup).first()
    if session is None:
        raise NotFoundError("Session not found")
    return session


def session_cancel(*, driver: Driver, request_id: str) -> ChargingSession:
    """Cancel the driver's request while PENDING or APPROVED (cancelling twice is harmless).

    Central has no cancel message: if central has accepted (or later accepts) the request, the
    session is marked so that it is stopped at central and the point is freed; it stays CANCELLED.
    Cancelling a request on a point's waiting list is leaving the queue: the ones behind move up.
    """
    session = _own_session(driver, request_id=request_id)
    with transaction.atomic():
        point_lock(session.charging_point_id)  # the queue's lock first, as every queue change takes it
        # Decide on the locked row: central's approval may land between the read above and here, and an
        # APPROVED request must be stopped at central (central_stop_pending) or the point stays reserved.
        session = ChargingSession.objects.select_for_update(of=("self",)).get(pk=session.pk)
        was_queued = session.queue_position is not None
        if session.status == SessionStatus.CANCELLED:
            return session
        if session.status not in (SessionStatus.PENDING, SessionStatus.APPROVED):
            if session.status == SessionStatus.CHARGING:
                raise ConflictError("Charging has already started: stop the session instead", status=session.status)
            raise ConflictError(f"Request {request_id} is already {session.status}", status=session.status)
        session, changed = session_transition(
            session=session,
            to_status=SessionStatus.CANCELLED,
            source=SessionTransition.Source.DRIVER,
            reason="Cancelled by driver",
            changes={"central_stop_pending": session.status == SessionStatus.APPROVED},
        )
        if changed and session.central_stop_pending:
            transaction.on_commit(lambda: central_port().stop_owed(session.pk))
        if changed and was_queued:
            queue_left(session.charging_point_id)
    return session


def session_stop(*, driver: Driver, session_id: str) -> ChargingSession:
    """Stop the driver's APPROVED or CHARGING session at central, then mark it STOPPED.

    The driver's intent (`stop_requested_at`) is recorded before central is called, so central's `completed`
    or ticket that overtakes this request still ends the session STOPPED (the event handlers read it).
    Energy and cost stay as last known; central's ticket corrects them later. Stopping a STOPPED session
    returns it unchanged. Raises NotFoundError, ConflictError (wrong status, or central refused: the session
    is unchanged) or CentralUnavailable (502: the session is unchanged).
    """
    session = _own_session(driver, session_id=session_id)
    session, recorded_at = _stop_intent_record(session)
    if recorded_at is None and session.status == SessionStatus.STOPPED:
        return session
    central_id = session_central_id(session)
    # The HTTP call happens outside any transaction: no row lock is held while central answers.
    try:
        central_port().stop_session(
            cp_id=session.charging_point.cp_id, driver_id=driver.driver_id, session_id=central_id
        )
    except (ConflictError, CentralUnavailable):
        stored = _own_session(driver, pk=session.pk)
        if stored.status == SessionStatus.STOPPED:
            return stored  # an earlier stop of this driver, or central's end, got there first
        if recorded_at is not None:
            # Central refused or could not be asked: the session goes on as it was.
            ChargingSession.objects.filter(pk=session.pk, stop_requested_at=recorded_at).update(stop_requested_at=None)
        raise
    session, _ = session_transition(
        session=session,
        to_status=SessionStatus.STOPPED,
        source=SessionTransition.Source.DRIVER,
        reason="Stopped by driver",
        at=timezone.now(),
        # Keep central's id so that its ticket still finds this session.
        central_session_id=central_id,
        strict=False,
    )
    if session.status != SessionStatus.STOPPED:
        # Central ended it on its own (`failed`) before the stop.
        raise ConflictError(f"Session {session_id} is already {session.status}", status=session.status)
    return session


def _stop_intent_record(session: ChargingSession):
    """Record on the locked row that the driver asked to stop. Returns (session, when recorded or None when a
    stop was already recorded or the session is already STOPPED). Raises ConflictError for other statuses."""
    with transaction.atomic():
        locked = (
            ChargingSession.objects.select_for_update(of=("self",))
            .select_related("charging_point", "driver")
            .get(pk=session.pk)
        )
        if locked.status == SessionStatus.STOPPED:
            return locked, None
        if locked.status not in (SessionStatus.APPROVED, SessionStatus.CHARGING):
            raise ConflictError(
                f"Session {locked.session_id} is {locked.status}: only APPROVED or CHARGING sessions can be stopped",
                status=locked.status,
            )
        if locked.stop_requested_at is not None:
            return locked, None
        locked.stop_requested_at = timezone.now()
        locked.save(update_fields=["stop_requested_at", "updated_at"])
        return locked, locked.stop_requested_at
