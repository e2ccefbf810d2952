"""The charging-point engines, simulated: one supplying session per point, metered once a second.

Meter: `kwh += kw·Δt/3600`, `euros = kwh·price` (shared/docs/central-protocol.md, "A charge, end to end").
What an engine tells central (CPTelemetry, the SessionTicket) is built with central's message types.
"""

from dataclasses import dataclass, field
from datetime import datetime

from central.gateway.messages import CPTelemetry, SessionTicket


@dataclass
class PointSpec:
    """What the simulator needs to know about a point: the same power and price as the dashboard's table."""

    cp_id: str
    power_kw: float
    price_eur_per_kwh: float
    city: str = ""


@dataclass
class EngineSession:
    """A session an engine supplies: cumulative energy and cost, and when it was last metered."""

    session_id: str
    request_id: str
    driver_id: str
    cp_id: str
    kw: float
    price: float
    start_time: datetime
    last_metered: datetime
    kwh: float = 0.0
    euros: float = 0.0
    next_telemetry: datetime | None = field(default=None)

    def meter(self, now: datetime) -> None:
        """Add the energy supplied since the last reading."""
        seconds = max(0.0, (now - self.last_metered).total_seconds())
        self.kwh += self.kw * seconds / 3600.0
        self.euros = self.kwh * self.price
        self.last_metered = now

    def telemetry(self, now: datetime) -> CPTelemetry:
        """The cumulative reading, as the engine sends it on `cp.telemetry`."""
        return CPTelemetry(
            cp_id=self.cp_id,
            kw=self.kw,
            kwh=round(self.kwh, 4),
            euros=round(self.euros, 4),
            driver_id=self.driver_id,
            session_id=self.session_id,
            ts=now,
        )

    def ticket(self, now: datetime) -> SessionTicket:
        """The final figures, as the engine sends them on `cp.session_end`."""
        return SessionTicket(
            cp_id=self.cp_id,
            session_id=self.session_id,
            driver_id=self.driver_id,
            start_time=self.start_time,
            end_time=now,
            energy_kwh=round(self.kwh, 4),
            total_cost_eur=round(self.euros, 4),
            ts=now,
        )


def charging_reason(kw: float, euros: float) -> str:
    return f"Charging: {kw:.1f} kW, €{euros:.2f}"


def completed_reason(kwh: float, euros: float) -> str:
    return f"Session completed: {kwh:.2f} kWh, €{euros:.2f}"
