"""Incoming messages from central: decode and validate, then hand to the event services.

A message that cannot be decoded or validated raises `PoisonMessage`; the consumer stores it as a
DeadLetter and moves on.
"""

import json
import math
from decimal import Decimal, InvalidOperation

from django.conf import settings

from sessions_app.protocol import parse_datetime_utc
from sessions_app.services.events import (
    UPDATE_STATUSES,
    DriverUpdate,
    SessionIndex,
    SessionTicket,
    session_apply_ticket,
    session_apply_update,
)


class PoisonMessage(ValueError):
    """The message is not a valid DriverUpdate / SessionTicket."""


def _text(data: dict, field: str, *, required: bool = True) -> str | None:
    value = data.get(field)
    if value is None or value == "":
        if required:
            raise PoisonMessage(f"{field} is missing")
        return None
    if not isinstance(value, str):
        raise PoisonMessage(f"{field} must be a string, got {type(value).__name__}")
    return value.strip()


def _time(data: dict, field: str):
    value = data.get(field)
    if value is None:
        return None
    if not isinstance(value, str):
        raise PoisonMessage(f"{field} must be an ISO-8601 string")
    try:
        return parse_datetime_utc(value)
    except ValueError as exc:
        raise PoisonMessage(f"{field} is not an ISO-8601 datetime: {value!r}") from exc


def _amount(data: dict, field: str) -> Decimal:
    value = data.get(field)
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise PoisonMessage(f"{field} must be a number")
    try:
        number = Decimal(str(value))
    except InvalidOperation as exc:
        raise PoisonMessage(f"{field} must be a number, got {value!r}") from exc
    if not number.is_finite() or number < 0 or (isinstance(value, float) and not math.isfinite(value)):
        raise PoisonMessage(f"{field} must be a finite number, not negative")
    try:
        return number.quantize(Decimal("0.0001"))
    except InvalidOperation as exc:  # too many digits for 4 decimal places (e.g. 1e300)
        raise PoisonMessage(f"{field} is out of range: {value!r}") from exc


def decode_driver_update(data: dict) -> DriverUpdate:
    status = _text(data, "status")
    if status not in UPDATE_STATUSES:
        raise PoisonMessage(f"status {status!r} is not one of {', '.join(UPDATE_STATUSES)}")
    return DriverUpdate(
        request_id=_text(data, "request_id", required=False),
        driver_id=_text(data, "driver_id"),
        cp_id=_text(data, "cp_id"),
        status=status,
        reason=(_text(data, "reason", required=False) or "")[:500],
        session_id=_text(data, "session_id", required=False),
        ts=_time(data, "ts"),
    )


def decode_session_ticket(data: dict) -> SessionTicket:
    return SessionTicket(
        cp_id=_text(data, "cp_id"),
        session_id=_text(data, "session_id"),
        driver_id=_text(data, "driver_id"),
        start_time=_time(data, "start_time"),
        end_time=_time(data, "end_time"),
        energy_kwh=_amount(data, "energy_kwh"),
        total_cost_eur=_amount(data, "total_cost_eur"),
        ts=_time(data, "ts"),
    )


def decode_central_event(topic: str, value: bytes | None) -> DriverUpdate | SessionTicket:
    """Raw Kafka value -> a validated event. Raises PoisonMessage."""
    if not value:
        raise PoisonMessage("empty message value")
    try:
        data = json.loads(value.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:  # RecursionError: nested too deep
        raise PoisonMessage(f"value is not UTF-8 JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise PoisonMessage("value is not a JSON object")
    if topic == settings.KAFKA_TOPIC_UPDATES:
        return decode_driver_update(data)
    if topic == settings.KAFKA_TOPIC_TICKETS:
        return decode_session_ticket(data)
    raise PoisonMessage(f"no handler for topic {topic}")


def central_event_apply(event: DriverUpdate | SessionTicket, index: SessionIndex | None = None) -> str:
    """Apply one decoded event (inside the caller's transaction); returns the outcome.

    `index` (sessions preloaded for a whole batch, see SessionIndex) saves a query per message.
    """
    if isinstance(event, SessionTicket):
        return session_apply_ticket(event, index)
    return session_apply_update(event, index)
