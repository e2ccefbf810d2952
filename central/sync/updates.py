"""Apply central's DriverUpdate and SessionTicket messages to sessions (idempotent).

Every status change goes through `session_transition` (strict=False: late and duplicated messages are
normal). Matching follows the protocol: request_id, then (cp_id, session_id), then (cp_id, driver_id)
among open sessions; what matches nothing is ignored. Must run inside the caller's transaction.
"""

import logging
import time
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from central.gateway.messages import DriverUpdate, PoisonMessage, SessionTicket, decode_json_object
from sessions_app.models import ChargingSession, SessionTransition
from sessions_app.ports import central_port
from sessions_app.services.queue import queue_requeue_denied
from sessions_app.services.records import (
    session_adopt_central_id,
    session_mark_stop_owed,
    session_note_alive,
    session_record_final_figures,
    sessions_note_alive,
    sign_of_life_every,
)
from sessions_app.services.transitions import format_figures, is_provisional_failure, session_transition
from sessions_app.status import FINISHED_STATUSES, OPEN_STATUSES, SessionStatus

logger = logging.getLogger(__name__)

UPDATE_STATUSES = {
    "accepted": SessionStatus.APPROVED,
    "in_progress": SessionStatus.CHARGING,
    "completed": SessionStatus.COMPLETED,
    "denied": SessionStatus.DENIED,
    "failed": SessionStatus.FAILED,
}

STOPPED_BY_DRIVER = "Stopped by driver"

APPLIED = "applied"
NOOP = "noop"
UNMATCHED = "unmatched"


def _sessions():
    return ChargingSession.objects.select_related("charging_point", "driver")


class SessionIndex:
    """The sessions a batch of events may concern, read in one query and kept current as it applies.

    Matching a message then costs no query: only messages that change something touch the database.
    """

    def __init__(self, events):
        request_ids = {e.request_id for e in events if getattr(e, "request_id", None)}
        session_ids = {e.session_id for e in events if e.session_id}
        driver_ids = {e.driver_id for e in events}
        query = (
            Q(request_id__in=request_ids)
            | Q(session_id__in=session_ids)
            | Q(driver__driver_id__in=driver_ids, status__in=OPEN_STATUSES)
        )
        self._by_pk: dict[int, ChargingSession] = {}
        self._by_request: dict[str, ChargingSession] = {}
        self._by_session: dict[str, ChargingSession] = {}
        self._open_by_driver: dict[str, list[ChargingSession]] = {}
        for session in _sessions().filter(query):
            self._add(session)

    def _add(self, session: ChargingSession) -> None:
        self._by_pk[session.pk] = session
        self._by_request[session.request_id] = session
        self._by_session[session.session_id] = session
        if session.is_open:
            self._open_by_driver.setdefault(session.driver.driver_id, []).append(session)

    def _remove(self, session: ChargingSession) -> None:
        self._by_pk.pop(session.pk, None)
        if self._by_request.get(session.request_id) is session:
            del self._by_request[session.request_id]
        if self._by_session.get(session.session_id) is session:
            del self._by_session[session.session_id]
        for sessions in self._open_by_driver.values():
            if session in sessions:
                sessions.remove(session)

    def put(self, session: ChargingSession) -> ChargingSession:
        """Record the current state of a session (after a write)."""
        old = self._by_pk.get(session.pk)
        if old is not None:
            self._remove(old)
        self._add(session)
        return session

    def reload(self, pk: int) -> ChargingSession:
        return self.put(_sessions().get(pk=pk))

    def by_request(self, request_id: str, driver_id: str) -> ChargingSession | None:
        session = self._by_request.get(request_id)
        return session if session is not None and session.driver.driver_id == driver_id else None

    def by_session(self, session_id: str, cp_id: str) -> ChargingSession | None:
        session = self._by_session.get(session_id)
        return session if session is not None and session.charging_point.cp_id == cp_id else None

    def open_at(self, cp_id: str, driver_id: str) -> ChargingSession | None:
        candidates = [
            s for s in self._open_by_driver.get(driver_id, ()) if s.is_open and s.charging_point.cp_id == cp_id
        ]
        return max(candidates, key=lambda s: (s.requested_at, s.pk), default=None)

    def open_of(self, driver_id: str) -> list[ChargingSession]:
        return [s for s in self._open_by_driver.get(driver_id, ()) if s.is_open]


@dataclass
class _Charging:
    pk: int
    cp_id: str
    request_id: str
    session_id: str
    last_seen: datetime | None
    checked_at: float  # time.monotonic() when the database last showed it CHARGING


class KnownCharging:
    """The sessions a consumer knows to be CHARGING, by driver (one open session each), kept between batches.

    Central forwards every telemetry as `in_progress`: for a session already CHARGING such a tick changes
    nothing the driver sees, only (at most every `sign_of_life_every`) its sign of life. A tick that fits an
    entry (same point and driver, no other request or session named) is settled from here, without loading
    the session. Entries are learnt from the batch's own index after its writes and forgotten for every driver
    a batch touches otherwise. The dashboard's other processes (stop, poll, time-outs) may end a session
    meanwhile, so an entry is trusted for KAFKA_CONSUMER_TRUST_CHARGING_SECONDS only: then one query per batch
    re-reads the status of the expired ones (a session ended elsewhere is seen within that time).
    The consumer clears it on a rebalance and when a batch fails.
    """

    def __init__(self):
        self._by_driver: dict[str, _Charging] = {}

    def __len__(self) -> int:
        return len(self._by_driver)

    def clear(self) -> None:
        self._by_driver.clear()

    def fitting(self, event) -> _Charging | None:
        if not isinstance(event, DriverUpdate) or event.status != "in_progress":
            return None
        entry = self._by_driver.get(event.driver_id)
        if entry is None or entry.cp_id != event.cp_id:
            return None
        if event.request_id not in (None, entry.request_id) or event.session_id not in (None, entry.session_id):
            return None  # names another request or session: matched the long way
        return entry

    def forget(self, driver_id: str) -> None:
        self._by_driver.pop(driver_id, None)

    def learn(self, sessions: list[ChargingSession], checked_at: float) -> None:
        for session in sessions:
            if session.status == SessionStatus.CHARGING and session.queue_position is None:
                self._by_driver[session.driver.driver_id] = _Charging(
                    pk=session.pk,
                    cp_id=session.charging_point.cp_id,
                    request_id=session.request_id,
                    session_id=session.session_id,
                    last_seen=session.last_seen_at_point,
                    checked_at=checked_at,
                )


def central_events_apply(events: list, known: KnownCharging | None = None) -> list[str]:
    """Apply a batch of decoded events in order (inside the caller's transaction); returns their outcomes.

    Ticks that `known` settles cost no session query: their due signs of life are one UPDATE for the batch
    (and, past the trust time, one SELECT re-reads the status of the entries used). Every other event is
    matched through one SessionIndex for the batch. A driver's events after one that goes the long way go the
    long way too, so each driver's events keep their order.
    """
    known = known if known is not None else KnownCharging()
    outcomes: list[str | None] = [None] * len(events)
    quick: list[tuple[int, object, _Charging]] = []
    slow: list[int] = []
    touched: set[str] = set()
    for position, event in enumerate(events):
        entry = None if event.driver_id in touched else known.fitting(event)
        if entry is None:
            slow.append(position)
            touched.add(event.driver_id)
        else:
            quick.append((position, event, entry))
    if quick:
        slow.extend(_settle_known_ticks(quick, known, outcomes))
        slow.sort()
    if slow:
        index = SessionIndex([events[position] for position in slow])
        for position in slow:
            outcomes[position] = central_event_apply(events[position], index)
        checked_at = time.monotonic()
        for driver_id in {events[position].driver_id for position in slow}:
            known.forget(driver_id)
            known.learn(index.open_of(driver_id), checked_at)
    return outcomes


def _settle_known_ticks(quick, known: KnownCharging, outcomes: list) -> list[int]:
    """Settle ticks of sessions known CHARGING; returns the positions that must go the long way after all."""
    mono, now = time.monotonic(), timezone.now()
    trust = settings.KAFKA_CONSUMER_TRUST_CHARGING_SECONDS
    expired = {entry.pk for _, _, entry in quick if mono - entry.checked_at >= trust}
    if expired:
        still = set(
            ChargingSession.objects.filter(pk__in=expired, status=SessionStatus.CHARGING).values_list("pk", flat=True)
        )
        ended = {event.driver_id for _, event, entry in quick if entry.pk not in still and entry.pk in expired}
        for driver_id in ended:
            known.forget(driver_id)  # ended (or changed) by another process: matched the long way
        for _, _, entry in quick:
            if entry.pk in still:
                entry.checked_at = mono
    else:
        ended = set()
    every = sign_of_life_every()
    due = {}
    back = []
    for position, event, entry in quick:
        if event.driver_id in ended:
            back.append(position)
            continue
        if entry.last_seen is None or now - entry.last_seen >= every:
            due[entry.pk] = entry
        outcomes[position] = NOOP
    if due:
        sessions_note_alive(list(due), now=now)
        for entry in due.values():
            entry.last_seen = now
    return back


def _request_match_fits(session: ChargingSession, update: DriverUpdate) -> bool:
    # Central may put the wrong request_id on in_progress/completed (the driver's first open request
    # at central): only trust it when the point, the session id and the session's openness agree.
    if session.charging_point.cp_id != update.cp_id:
        return False
    if update.session_id and session.has_central_session_id and session.session_id != update.session_id:
        return False
    if update.status == "accepted":
        return True
    return session.is_open or bool(update.session_id and session.session_id == update.session_id)


def session_match_update(update: DriverUpdate, index: SessionIndex | None = None) -> ChargingSession | None:
    index = index or SessionIndex([update])
    by_request = None
    if update.request_id:
        by_request = index.by_request(update.request_id, update.driver_id)
        if by_request is not None and _request_match_fits(by_request, update):
            return by_request
    if update.session_id:
        session = index.by_session(update.session_id, update.cp_id)
        if session is not None:
            return session
    if update.status == "accepted":
        return None  # an acceptance always names its own request
    session = index.open_at(update.cp_id, update.driver_id)
    if by_request is not None and by_request.charging_point.cp_id == update.cp_id:
        if session is None:
            return by_request  # a late duplicate for a finished session: harmless, it will not move
        if _late_for_earlier_session(session, by_request, update):
            return by_request
    return session


def _late_for_earlier_session(candidate: ChargingSession, named: ChargingSession, update: DriverUpdate) -> bool:
    # One driver's updates share a partition, so a request's own in_progress/completed/failed never
    # precede its `accepted`: for a still-PENDING request they are late messages of the finished session
    # they name (e.g. telemetry forwarded just after the driver stopped it), not the request's own.
    return (
        update.status in ("in_progress", "completed", "failed")
        and candidate.status == SessionStatus.PENDING
        and candidate.pk != named.pk
        and not named.is_open
        and named.has_central_session_id
        and update.session_id in (None, named.session_id)
    )


def session_apply_update(update: DriverUpdate, index: SessionIndex | None = None) -> str:
    """Apply one DriverUpdate; returns APPLIED, NOOP or UNMATCHED."""
    index = index or SessionIndex([update])
    session = session_match_update(update, index)
    if session is None:
        return UNMATCHED
    if session.queue_position is not None:
        # On the waiting list, not with central: a replay of central's answer to an earlier sending.
        return NOOP
    if update.status == "accepted":
        return _apply_accepted(session, update, index)
    target = UPDATE_STATUSES[update.status]
    if session.status == target == SessionStatus.CHARGING:
        session_note_alive(session)
        return NOOP
    if session.status in FINISHED_STATUSES:
        return _apply_to_finished(session, update, target, index)
    if session.status == target:
        return NOOP  # a duplicate
    if target == SessionStatus.DENIED and queue_requeue_denied(session, update.reason):
        index.reload(session.pk)  # taken by someone outside the dashboard: back at the head of the queue
        return APPLIED
    changes = {}
    reason = update.reason
    if target == SessionStatus.CHARGING:
        changes["last_seen_at_point"] = timezone.now()
    if target == SessionStatus.COMPLETED and session.stop_requested_at is not None:
        # The driver's stop overtaken by its own result: the API has not written STOPPED yet.
        target, reason = SessionStatus.STOPPED, STOPPED_BY_DRIVER
    stored, changed = session_transition(
        session=session.pk,
        to_status=target,
        source=SessionTransition.Source.CENTRAL,
        reason=reason,
        changes=changes,
        central_session_id=update.session_id,
        strict=False,
    )
    index.put(stored)
    return APPLIED if changed else NOOP


def _apply_to_finished(session: ChargingSession, update: DriverUpdate, target: str, index: SessionIndex) -> str:
    """A late message for a finished session: corrects a provisional FAILED, stops a session the dashboard
    ended while central still runs it; anything else (duplicates, in_progress after completed) is a no-op."""
    if target == SessionStatus.COMPLETED and is_provisional_failure(session):
        stored, changed = session_transition(
            session=session.pk,
            to_status=SessionStatus.COMPLETED,
            source=SessionTransition.Source.CENTRAL,
            reason=f"Completed at central after the dashboard had lost track of it: {update.reason}".strip(": "),
            central_session_id=update.session_id,
            strict=False,
        )
        index.put(stored)
        return APPLIED if changed else NOOP
    if target == SessionStatus.CHARGING and _ended_by_dashboard(session):
        # Central still supplies a session the dashboard ended: stop it there.
        return _stop_owed_at_central(session, update.session_id, index)
    return NOOP


def _ended_by_dashboard(session: ChargingSession) -> bool:
    return session.status == SessionStatus.CANCELLED or (
        session.status == SessionStatus.FAILED and session.ended_by_dashboard
    )


def _apply_accepted(session: ChargingSession, update: DriverUpdate, index: SessionIndex) -> str:
    if session.status == SessionStatus.PENDING:
        stored, changed = session_transition(
            session=session.pk,
            to_status=SessionStatus.APPROVED,
            source=SessionTransition.Source.CENTRAL,
            reason=update.reason,
            central_session_id=update.session_id,
            strict=False,
            from_statuses=(SessionStatus.PENDING,),
        )
        session = index.put(stored)
        if changed:
            return APPLIED
    if session.status in (SessionStatus.CANCELLED, SessionStatus.FAILED):
        return _stop_late_acceptance(session, update, index)
    if session.is_open and session_adopt_central_id(session, update.session_id):
        # in_progress overtook accepted: keep central's id for the stop call and the poll.
        index.reload(session.pk)
        return APPLIED
    return NOOP


def _stop_late_acceptance(session: ChargingSession, update: DriverUpdate, index: SessionIndex) -> str:
    """Central accepted a request the driver cancelled or that timed out: free the point at central."""
    if session.has_central_session_id and update.session_id and session.session_id != update.session_id:
        return NOOP
    return _stop_owed_at_central(session, update.session_id, index)


def _stop_owed_at_central(session: ChargingSession, central_session_id: str | None, index: SessionIndex) -> str:
    """Record that central must stop this finished session (once), and queue the stop after commit."""
    marked = session_mark_stop_owed(session, central_session_id)
    index.reload(session.pk)
    if not marked:
        return NOOP
    session_pk = session.pk
    transaction.on_commit(lambda: central_port().stop_owed(session_pk))
    return APPLIED


def session_apply_ticket(ticket: SessionTicket, index: SessionIndex | None = None) -> str:
    """Apply a SessionTicket: final energy, cost and times; ends a still-open session (STOPPED when the driver
    asked to stop, else COMPLETED) and corrects a provisional FAILED to COMPLETED."""
    index = index or SessionIndex([ticket])
    session = index.by_session(ticket.session_id, ticket.cp_id)
    if session is None:
        session = index.open_at(ticket.cp_id, ticket.driver_id)
        # A re-sent old ticket must not complete the driver's current session.
        if session is not None and (
            session.has_central_session_id or (ticket.end_time and ticket.end_time < session.requested_at)
        ):
            return UNMATCHED
    if session is None or session.driver.driver_id != ticket.driver_id:
        return UNMATCHED
    figures = {
        "energy_kwh": ticket.energy_kwh,
        "cost_eur": ticket.total_cost_eur,
        "started_at": ticket.start_time or session.started_at,
        "completed_at": ticket.end_time or session.completed_at,
    }
    if session.is_open or is_provisional_failure(session):
        stored, changed = session_transition(
            session=session.pk,
            to_status=_ticket_end_status(session),
            source=SessionTransition.Source.CENTRAL,
            reason=_ticket_end_reason(session, ticket),
            changes={**figures, "ticket_received_at": timezone.now()},
            central_session_id=ticket.session_id,
            strict=False,
        )
        session = index.put(stored)
        if changed:
            return APPLIED
    if not session_record_final_figures(session, figures):
        return NOOP
    index.reload(session.pk)
    return APPLIED


def _ticket_end_status(session: ChargingSession) -> str:
    if session.is_open and session.stop_requested_at is not None:
        return SessionStatus.STOPPED
    return SessionStatus.COMPLETED


def _ticket_end_reason(session: ChargingSession, ticket: SessionTicket) -> str:
    figures = format_figures(ticket.energy_kwh, ticket.total_cost_eur)
    if session.is_open and session.stop_requested_at is not None:
        return STOPPED_BY_DRIVER
    if not session.is_open:
        return f"Completed at central after the dashboard had lost track of it: {figures}"
    return f"Session completed: {figures}"


def central_event_decode(topic: str, raw: bytes | None) -> DriverUpdate | SessionTicket:
    """Raw Kafka value of one of the topics the dashboard reads -> a validated message. Raises PoisonMessage."""
    if topic == settings.KAFKA_TOPIC_UPDATES:
        return DriverUpdate.from_wire(raw or b"")
    if topic == settings.KAFKA_TOPIC_TICKETS:
        return SessionTicket.from_wire(raw or b"")
    decode_json_object(raw)
    raise PoisonMessage(f"no handler for topic {topic}")


def central_event_apply(event: DriverUpdate | SessionTicket, index: SessionIndex | None = None) -> str:
    """Apply one decoded event (inside the caller's transaction); returns the outcome.

    `index` (sessions preloaded for a whole batch, see SessionIndex) saves a query per message.
    """
    if isinstance(event, SessionTicket):
        return session_apply_ticket(event, index)
    return session_apply_update(event, index)
