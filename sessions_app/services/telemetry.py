"""Live figures of a charging session, as central's poll reports them."""

from decimal import Decimal, InvalidOperation

from django.db.models import Q

from sessions_app.models import ChargingSession
from sessions_app.services.push import session_event_publish_for_point_session
from sessions_app.status import SessionStatus

# The largest value ChargingSession.energy_kwh / cost_eur (numeric(12, 4)) can hold.
_MAX_FIGURE = Decimal("99999999.9999")


def _decimal(value) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value)).quantize(Decimal("0.0001"))
    except (InvalidOperation, ValueError):
        return None
    # Out of the column's range, the UPDATE would fail and take the whole poll with it.
    return number if number.is_finite() and 0 <= number <= _MAX_FIGURE else None


def session_apply_telemetry(*, cp_pk: int, telemetry_session_id: str, kwh, euros) -> bool:
    """Energy and cost of the CHARGING session central names in the point's telemetry.

    Never backwards, never over a ticket's final figures; one conditional UPDATE, no notification.
    """
    energy, cost = _decimal(kwh), _decimal(euros)
    if not telemetry_session_id or energy is None:
        return False
    fields = {"energy_kwh": energy}
    if cost is not None:
        fields["cost_eur"] = cost
    updated = (
        ChargingSession.objects.filter(
            charging_point_id=cp_pk,
            session_id=telemetry_session_id,
            status=SessionStatus.CHARGING,
            ticket_received_at__isnull=True,
        )
        .filter(Q(energy_kwh__isnull=True) | Q(energy_kwh__lt=energy))
        .update(**fields)
    )
    if updated:
        session_event_publish_for_point_session(cp_pk=cp_pk, session_id=telemetry_session_id)
    return bool(updated)
