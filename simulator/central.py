"""Central's state machine, simulated: points, sessions, the request checks in the documented order, and the
fault-injection knobs. Transport-free: Kafka and HTTP adapters call in, and messages go out through an Emitter.

Protocol: shared/docs/central-protocol.md. What reaches dashboards is what the real central sends, including
`session_id: null` on `in_progress`, no queue (a busy point is denied at once) and silence on a mid-session fault.
Every message in and out, including what central and the engines tell each other, is one of central's message types
(`central.gateway.messages`); the behaviour is the simulator's own.
"""

import logging
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol

from central.gateway.messages import (
    CentralCommand,
    CPStatus,
    CPTelemetry,
    DriverRequest,
    DriverUpdate,
    SessionTicket,
    StopRequest,
    StopResponse,
)
from common.datetimes import iso_z
from simulator.engines import EngineSession, PointSpec, charging_reason, completed_reason

logger = logging.getLogger(__name__)

# Display states that take a point out of service (protocol: "Mapping central's CP view").
OFFLINE_STATES = {"DISCONNECTED", "BROKEN", "TURNED_OFF_WEATHER", "ENCRYPTION_ERROR", "REVOKED", "OUT_OF_SERVICE"}
DISPLAY_STATES = OFFLINE_STATES | {"ON"}


EngineMessage = CentralCommand | CPStatus | CPTelemetry | SessionTicket


class Emitter(Protocol):
    def update(self, message: DriverUpdate) -> None:
        """To the dashboards, on `driver.updates`."""

    def ticket(self, message: SessionTicket) -> None:
        """To the dashboards, on `driver.ticket`."""

    def engine(self, message: EngineMessage) -> None:
        """Between central and the engines: `central.commands`, `cp.status`, `cp.telemetry`, `cp.session_end`."""


class ListEmitter:
    """Keeps what would be sent; for runs without Kafka."""

    def __init__(self):
        self.updates: list[DriverUpdate] = []
        self.tickets: list[SessionTicket] = []
        self.engine_messages: list[EngineMessage] = []

    def update(self, message: DriverUpdate) -> None:
        self.updates.append(message)

    def ticket(self, message: SessionTicket) -> None:
        self.tickets.append(message)

    def engine(self, message: EngineMessage) -> None:
        self.engine_messages.append(message)


@dataclass
class SimPoint:
    spec: PointSpec
    state: str = "ON"
    engine_state: str = "ACTIVATED"
    is_faulty: bool = False
    fault_reason: str | None = None
    session: EngineSession | None = None
    stop_requested: bool = False
    telemetry: CPTelemetry | None = None  # the last reading, kept after its session ends
    last_update: datetime | None = None

    @property
    def cp_id(self) -> str:
        return self.spec.cp_id

    def unavailable_state(self) -> str | None:
        """The state named in "Charging point not available (state: ...)", or None when the point is idle."""
        if self.state != "ON":
            return self.state
        if self.session is not None or self.engine_state != "ACTIVATED":
            return self.engine_state
        return None

    def view(self) -> dict:
        """One `charging_points[]` item of GET /cp."""
        return {
            "cp_id": self.cp_id,
            "state": self.state,
            "engine_state": self.engine_state,
            "monitor_status": "DOWN" if self.state == "DISCONNECTED" else "OK",
            "city": self.spec.city,
            "current_driver": self.session.driver_id if self.session else None,
            "current_session": self.session.session_id if self.session else None,
            "last_update": iso_z(self.last_update),
            "communication_status": "ENCRYPTION_ERROR" if self.state == "ENCRYPTION_ERROR" else "OK",
            "is_faulty": self.is_faulty,
            "fault_reason": self.fault_reason,
            "telemetry": {
                "kw": self.telemetry.kw,
                "kwh": self.telemetry.kwh,
                "euros": self.telemetry.euros,
                "session_id": self.telemetry.session_id,
            }
            if self.telemetry
            else None,
            # Not in the documented minimum; central's view carries the point's characteristics too.
            "power_kw": self.spec.power_kw,
            "price_eur_per_kwh": self.spec.price_eur_per_kwh,
        }


def _now() -> datetime:
    return datetime.now(UTC)


def new_session_id() -> str:
    return f"session-{secrets.token_hex(4)}"


class UnknownPoint(LookupError):
    pass


class CentralSim:
    """All state behind one lock; every public method is safe to call from any thread."""

    def __init__(
        self,
        points: Iterable[PointSpec],
        emitter: Emitter,
        *,
        telemetry_interval: float = 1.0,
        clock: Callable[[], datetime] = _now,
    ):
        self.emitter = emitter
        self.telemetry_interval = telemetry_interval
        self.clock = clock
        self._lock = threading.RLock()
        now = clock()
        self.points: dict[str, SimPoint] = {spec.cp_id: SimPoint(spec=spec, last_update=now) for spec in points}
        # Fault-injection knobs.
        self.slow_seconds = 0.0
        self.unreachable_until = 0.0  # time.monotonic() deadline
        self.deny_all_reason: str | None = None
        self.session_limit_seconds: float | None = None
        self.events: deque[dict] = deque(maxlen=50)
        self._answered: dict[str, None] = {}  # request ids already answered, oldest first
        self._event("INITIALIZATION", "central", f"Central simulator started with {len(self.points)} points", "INFO")

    # --- Kafka side ------------------------------------------------------------------------------

    def handle_request(self, request: DriverRequest) -> None:
        """A DriverRequest from driver.requests: denied, or accepted and supplying."""
        with self._lock:
            # At-least-once delivery: a request already answered (e.g. re-sent by an outbox) is not answered again.
            if request.request_id in self._answered:
                logger.info("ignoring duplicate DriverRequest %s", request.request_id)
                return
            self._answered[request.request_id] = None
            while len(self._answered) > 10000:
                self._answered.pop(next(iter(self._answered)))
            point = self.points.get(request.cp_id)
            if point is None:
                return self._deny(request, "Charging point not found")
            if self.deny_all_reason:
                return self._deny(request, self.deny_all_reason)
            blocked = point.unavailable_state()
            if blocked:
                return self._deny(request, f"Charging point not available (state: {blocked})")
            now = self.clock()
            session = EngineSession(
                session_id=new_session_id(),
                request_id=request.request_id,
                driver_id=request.driver_id,
                cp_id=request.cp_id,
                kw=point.spec.power_kw,
                price=point.spec.price_eur_per_kwh,
                start_time=now,
                last_metered=now,
                next_telemetry=now + timedelta(seconds=self.telemetry_interval),
            )
            self._send_update(session, "accepted", "Request accepted, starting charging", session.session_id)
            self._command(
                point,
                "start_supply",
                {"driver_id": session.driver_id, "request_id": session.request_id, "session_id": session.session_id},
            )
            # The engine starts supplying and meters from now on.
            point.session = session
            point.stop_requested = False
            self._report(point, "SUPPLYING")
            point.last_update = now
            point.telemetry = session.telemetry(now)
            logger.info(
                "accepted %s: %s at %s, session %s",
                request.request_id,
                request.driver_id,
                request.cp_id,
                session.session_id,
            )

    def _deny(self, request: DriverRequest, reason: str) -> None:
        logger.info("denied %s (%s at %s): %s", request.request_id, request.driver_id, request.cp_id, reason)
        self._send_update(request, "denied", reason, None)

    def _send_update(self, about: DriverRequest | EngineSession, status: str, reason: str, session_id) -> None:
        self.emitter.update(
            DriverUpdate(
                request_id=about.request_id,
                driver_id=about.driver_id,
                cp_id=about.cp_id,
                status=status,
                reason=reason,
                session_id=session_id,
                ts=self.clock(),
            )
        )

    def _command(self, point: SimPoint, cmd: str, payload: dict | None = None) -> None:
        """Central -> the point's engine, on `central.commands`."""
        self.emitter.engine(CentralCommand(cmd=cmd, cp_id=point.cp_id, payload=payload, ts=self.clock()))

    def _report(self, point: SimPoint, state: str, reason: str | None = None) -> None:
        """The engine's state changes and it tells central, on `cp.status`."""
        if point.engine_state == state:
            return
        point.engine_state = state
        self.emitter.engine(CPStatus(cp_id=point.cp_id, state=state, reason=reason, ts=self.clock()))

    # --- Engines ---------------------------------------------------------------------------------

    def tick(self) -> None:
        """Advance every engine: telemetry once per interval, stops asked for, sessions at their time limit."""
        with self._lock:
            now = self.clock()
            for point in self.points.values():
                session = point.session
                if session is None:
                    continue
                limit = self.session_limit_seconds
                if point.stop_requested or (limit and (now - session.start_time).total_seconds() >= limit):
                    self._finish(point, now)
                elif session.next_telemetry and now >= session.next_telemetry:
                    session.meter(now)
                    session.next_telemetry = now + timedelta(seconds=self.telemetry_interval)
                    point.last_update = now
                    point.telemetry = session.telemetry(now)
                    self.emitter.engine(point.telemetry)
                    # Central forwards each telemetry as in_progress, without the session id.
                    self._send_update(session, "in_progress", charging_reason(session.kw, session.euros), None)

    def _finish(self, point: SimPoint, now: datetime) -> None:
        """The engine stops (asked to, or at its time limit): it emits the ticket and returns to ACTIVATED; central
        forwards the ticket, then sends completed."""
        session = point.session
        session.meter(now)
        ticket = session.ticket(now)
        point.telemetry = session.telemetry(now)
        point.session = None
        point.stop_requested = False
        self.emitter.engine(ticket)
        self._report(point, "ACTIVATED")
        point.last_update = now
        self.emitter.ticket(ticket)
        self._send_update(session, "completed", completed_reason(session.kwh, session.euros), session.session_id)
        logger.info(
            "completed %s at %s: %s kWh, EUR %s",
            session.session_id,
            point.cp_id,
            ticket.energy_kwh,
            ticket.total_cost_eur,
        )

    # --- HTTP side -------------------------------------------------------------------------------

    def status(self) -> dict:
        """GET /cp."""
        with self._lock:
            running = [p.session for p in self.points.values() if p.session]
            errors = [
                {"cp_id": p.cp_id, "state": p.state, "reason": p.fault_reason}
                for p in self.points.values()
                if p.state != "ON"
            ]
            summary: dict[str, int] = {}
            for error in errors:
                summary[error["state"]] = summary.get(error["state"], 0) + 1
            return {
                "charging_points": [p.view() for p in self.points.values()],
                "active_requests": len(running),
                "active_requests_details": [
                    {"request_id": s.request_id, "driver_id": s.driver_id, "cp_id": s.cp_id, "ts": iso_z(s.start_time)}
                    for s in running
                ],
                "system_errors": errors,
                "error_summary": summary,
                "system_events": list(self.events),
            }

    def stop_session(self, request: StopRequest) -> tuple[int, dict]:
        """POST /stop-session: (HTTP status, JSON body). Central tells the engine to stop supplying; the engine
        ends the session at its next tick (ticket, then `completed`)."""
        cp_id, driver_id, session_id = request.cp_id, request.driver_id, request.session_id
        with self._lock:
            point = self.points.get(cp_id)
            if point is None:
                return 404, {"success": False, "error": f"Charging point {cp_id} not found"}
            session = point.session
            if session is None or session.session_id != session_id:
                current = session.session_id if session else None
                return 400, {
                    "success": False,
                    "error": f"Session {session_id} is not the current session of {cp_id} (current: {current})",
                }
            if session.driver_id != driver_id:
                return 403, {"success": False, "error": f"Driver {driver_id} is not the current driver of {cp_id}"}
            if not point.stop_requested:
                point.stop_requested = True
                self._command(point, "stop_supply", {"reason": "Stop requested by the driver"})
            logger.info("stop-session %s at %s by %s", session_id, cp_id, driver_id)
            answer = StopResponse(
                success=True, cp_id=cp_id, session_id=session_id, message=f"Stop command sent to {cp_id}"
            )
            return 200, answer.to_wire()

    # --- Fault injection -------------------------------------------------------------------------

    def _point(self, cp_id: str) -> SimPoint:
        point = self.points.get(cp_id)
        if point is None:
            raise UnknownPoint(cp_id)
        return point

    def _interrupt(self, point: SimPoint, silent: bool) -> None:
        """The engine has left SUPPLYING for another reason: the session ends with no ticket."""
        session = point.session
        point.session = None
        point.stop_requested = False
        if session is None:
            return
        now = self.clock()
        session.meter(now)
        point.telemetry = session.telemetry(now)
        if silent:
            logger.info(
                "session %s at %s interrupted (%s) silently", session.session_id, point.cp_id, point.engine_state
            )
            return
        self._send_update(session, "failed", f"Charging interrupted: {point.engine_state}", session.session_id)
        logger.info("session %s at %s failed: %s", session.session_id, point.cp_id, point.engine_state)

    def set_offline(self, cp_id: str, *, silent: bool = False) -> dict:
        """Disconnect a point. A running session fails (`failed` update unless silent)."""
        with self._lock:
            point = self._point(cp_id)
            point.state = "DISCONNECTED"
            self._report(point, "DISCONNECTED", "Connection lost")
            self._interrupt(point, silent)
            point.last_update = self.clock()
            self._event("FAILURE", cp_id, f"{cp_id} disconnected", "ERROR")
            return point.view()

    def fault(self, cp_id: str, *, reason: str = "Simulated hardware fault", silent: bool = True) -> dict:
        """Break a point. Like the real central, by default NO terminal update reaches the driver."""
        with self._lock:
            point = self._point(cp_id)
            point.state = "BROKEN"
            self._report(point, "FAULT", reason)
            point.is_faulty = True
            point.fault_reason = reason
            self._interrupt(point, silent)
            point.last_update = self.clock()
            self._event("FAILURE", cp_id, f"{cp_id} fault: {reason}", "ERROR")
            return point.view()

    def set_state(self, cp_id: str, state: str) -> dict:
        """Set a display state (e.g. OUT_OF_SERVICE, REVOKED); any running session is interrupted silently."""
        if state not in DISPLAY_STATES:
            raise ValueError(f"state must be one of {sorted(DISPLAY_STATES)}")
        if state == "ON":
            return self.restore(cp_id)
        with self._lock:
            point = self._point(cp_id)
            point.state = state
            self._command(point, "stop_cp", {"reason": state})
            self._report(point, "STOPPED", state)
            self._interrupt(point, True)
            point.last_update = self.clock()
            self._event("FAILURE", cp_id, f"{cp_id} is {state}", "WARNING")
            return point.view()

    def restore(self, cp_id: str) -> dict:
        """Back online and repaired: ON / ACTIVATED, idle."""
        with self._lock:
            point = self._point(cp_id)
            if point.state != "ON" or point.is_faulty:
                self._command(point, "resume_cp")
            point.state = "ON"
            self._report(point, "ACTIVATED" if point.session is None else "SUPPLYING")
            point.is_faulty = False
            point.fault_reason = None
            point.last_update = self.clock()
            self._event("RESTORATION", cp_id, f"{cp_id} back in service", "SUCCESS")
            return point.view()

    def set_unreachable(self, seconds: float) -> None:
        with self._lock:
            self.unreachable_until = time.monotonic() + max(0.0, seconds)

    def unreachable_for(self) -> float:
        return max(0.0, self.unreachable_until - time.monotonic())

    def knobs(self) -> dict:
        with self._lock:
            return {
                "slow_seconds": self.slow_seconds,
                "unreachable_for_seconds": round(self.unreachable_for(), 1),
                "deny_all_reason": self.deny_all_reason,
                "session_limit_seconds": self.session_limit_seconds,
                "telemetry_interval": self.telemetry_interval,
            }

    def reset_knobs(self) -> None:
        with self._lock:
            self.slow_seconds = 0.0
            self.unreachable_until = 0.0
            self.deny_all_reason = None
            self.session_limit_seconds = None

    def _event(self, type_: str, component: str, message: str, severity: str) -> None:
        self.events.append(
            {
                "timestamp": iso_z(self.clock()),
                "type": type_,
                "component": component,
                "message": message,
                "severity": severity,
            }
        )
