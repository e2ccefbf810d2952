"""A finished session's receipt: its figures and who may see it (read only; the PDF and the CDR are built from it).

Money: a point's price includes VAT (RECEIPT_VAT_RATE). The total is what the session cost: central's ticket
when it has arrived, else the dashboard's last reading (central's telemetry); only when neither gave a cost is it
worked out as energy × the price stored on the session. The net amount is total / (1 + rate), rounded to 4
decimals as every cost in the API; VAT is the rest, so net + VAT = total exactly.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

from common.errors import NotFoundError
from sessions_app.models import ChargingSession
from sessions_app.status import FINISHED_STATUSES, SessionStatus

FOUR_PLACES = Decimal("0.0001")
CURRENCY = "EUR"

# How a finished session ended, in words (the reason beside it says why).
ENDED_IN_WORDS = {
    SessionStatus.COMPLETED: "Completed: the charge ended at the point",
    SessionStatus.STOPPED: "Stopped by the driver",
    SessionStatus.FAILED: "Failed: the session ended abnormally",
    SessionStatus.CANCELLED: "Cancelled: stopped at central after the request was cancelled",
    SessionStatus.DENIED: "Denied by central",
}


class ReceiptNotFound(NotFoundError):
    default_detail = "Receipt not found"


@dataclass(frozen=True)
class Receipt:
    number: str
    operator_name: str
    # The session
    central_session_id: str
    request_id: str
    status: str
    ended: str
    reason: str
    started_at: datetime | None
    completed_at: datetime | None
    # The point
    cp_id: str
    cp_name: str
    cp_address: str
    cp_city: str
    cp_latitude: float
    cp_longitude: float
    connector_type: str
    # The driver
    driver_id: str
    driver_name: str
    vehicle_id: str
    # Figures
    energy_kwh: Decimal
    unit_price: Decimal  # EUR per kWh, VAT included: the price in force when the request was made
    vat_rate: Decimal
    total: Decimal
    net: Decimal
    vat: Decimal
    final: bool  # the figures are central's ticket (else the dashboard's last reading)
    ticket_received_at: datetime | None
    last_updated: datetime

    @property
    def currency(self) -> str:
        return CURRENCY

    @property
    def duration(self) -> timedelta | None:
        if self.started_at is None or self.completed_at is None:
            return None
        return max(timedelta(0), self.completed_at - self.started_at)

    @property
    def unit_price_net(self) -> Decimal:
        return (self.unit_price / (1 + self.vat_rate)).quantize(FOUR_PLACES, rounding=ROUND_HALF_UP)

    @property
    def figures_source(self) -> str:
        if self.final:
            return "Figures from central's final ticket for this session."
        return (
            "Figures are the dashboard's last reading: central's final ticket for this session has not arrived, "
            "so they may still change."
        )

    @property
    def vat_note(self) -> str:
        return (
            f"Prices include VAT at {percent(self.vat_rate)}: net amount = total / {1 + self.vat_rate}, "
            "VAT = total - net amount."
        )


def percent(rate: Decimal) -> str:
    """0.21 -> "21 %", 0.055 -> "5.5 %"."""
    value = (rate * 100).normalize()
    return f"{value:f} %"


def session_has_receipt(session: ChargingSession) -> bool:
    """A finished session that delivered energy has a receipt; denied, cancelled before charging and failed at
    0 kWh have none (their history entry's `receipt_url` is null)."""
    return session.status in FINISHED_STATUSES and bool(session.energy_kwh)


def receipt_path(session_id: str) -> str:
    """Where a session's receipt is served (the specification's path); `.json` instead of `.pdf` gives the CDR."""
    return f"/receipts/{session_id}.pdf"


def receipt_url(session: ChargingSession) -> str | None:
    """The history's `receipt_url`: the receipt's path, or None for a session without one."""
    return receipt_path(session.session_id) if session_has_receipt(session) else None


def receipt_number(session: ChargingSession) -> str:
    """Unique (the row's key) and stable (the year the request was made never changes): `R-2025-000042`."""
    return f"R-{session.requested_at.year}-{session.pk:06d}"


def _may_see(user: AbstractBaseUser | AnonymousUser, session: ChargingSession) -> bool:
    return bool(user and user.is_authenticated and (user.is_staff or session.driver.user_id == user.pk))


def receipt_get(*, user: AbstractBaseUser | AnonymousUser, session_id: str) -> Receipt:
    """The receipt of session `session_id` for `user`: its driver, or staff. Raises ReceiptNotFound (404) for
    anyone else, for an unknown session, and for a session without a receipt, alike (nothing is revealed)."""
    session = (
        ChargingSession.objects.select_related("charging_point", "driver", "driver__user")
        .filter(session_id=session_id)
        .first()
    )
    if session is None or not _may_see(user, session) or not session_has_receipt(session):
        raise ReceiptNotFound()
    return receipt_of(session)


def receipt_of(session: ChargingSession) -> Receipt:
    """The receipt's figures from a finished session with energy (see the module's docstring for the money)."""
    point, driver = session.charging_point, session.driver
    rate = settings.RECEIPT_VAT_RATE
    energy = Decimal(session.energy_kwh)
    unit_price = Decimal(session.price_eur_per_kwh)
    if session.cost_eur is not None:
        total = Decimal(session.cost_eur)
    else:
        total = (energy * unit_price).quantize(FOUR_PLACES, rounding=ROUND_HALF_UP)
    net = (total / (1 + rate)).quantize(FOUR_PLACES, rounding=ROUND_HALF_UP)
    return Receipt(
        number=receipt_number(session),
        operator_name=settings.RECEIPT_OPERATOR_NAME,
        central_session_id=session.session_id,
        request_id=session.request_id,
        status=session.status,
        ended=ENDED_IN_WORDS.get(session.status, session.status),
        reason=session.reason,
        started_at=session.started_at,
        completed_at=session.completed_at,
        cp_id=point.cp_id,
        cp_name=point.name,
        cp_address=point.address,
        cp_city=point.city,
        cp_latitude=point.latitude,
        cp_longitude=point.longitude,
        connector_type=point.connector_type,
        driver_id=driver.driver_id,
        driver_name=driver.display_name or driver.user.get_full_name(),
        vehicle_id=session.vehicle_id,
        energy_kwh=energy,
        unit_price=unit_price,
        vat_rate=rate,
        total=total,
        net=net,
        vat=total - net,
        final=session.ticket_received_at is not None,
        ticket_received_at=session.ticket_received_at,
        last_updated=session.ticket_received_at or session.completed_at or session.updated_at,
    )
