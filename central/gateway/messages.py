"""The messages of central's wire protocol (docs/central-protocol.md), typed once for everyone.

The product, the simulator, the test fakes and the benchmark build and read every message through these
models, so a change to the protocol is made here. Reading is defensive, as the protocol asks: strings are
stripped, an empty optional field is `None`, datetimes accept `Z` and `+00:00` (naive ones are UTC), amounts
are finite, non-negative decimals with 4 places. Writing follows the protocol to the letter: every optional
field present (`null` when empty), datetimes in UTC with a `Z` suffix.

This module imports no domain app.
"""

import json
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, ClassVar, Literal

from django.utils import timezone
from pydantic import BaseModel, BeforeValidator, ConfigDict, PlainSerializer, ValidationError

from common.datetimes import iso_z, parse_datetime_utc


class PoisonMessage(ValueError):
    """The message is not a valid message of the protocol; the consumer stores it as a dead letter."""


# --- Field types -----------------------------------------------------------------------------------------


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError(f"must be a string, got {type(value).__name__}")
    return value.strip() or None


def _required_text(value: Any) -> str:
    text = _text(value)
    if text is None:
        raise ValueError("is missing")
    return text


def _time(value: Any) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    if not isinstance(value, str):
        raise ValueError("must be an ISO-8601 string")
    try:
        return parse_datetime_utc(value)
    except ValueError:
        raise ValueError(f"is not an ISO-8601 datetime: {value!r}") from None


def _amount(value: Any) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        raise ValueError("must be a number")
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise ValueError(f"must be a number, got {value!r}") from None
    if not number.is_finite() or number < 0:
        raise ValueError("must be a finite number, not negative")
    try:
        return number.quantize(Decimal("0.0001"))
    except InvalidOperation:  # too many digits for 4 decimal places (e.g. 1e300)
        raise ValueError(f"is out of range: {value!r}") from None


Text = Annotated[str, BeforeValidator(_required_text)]
OptionalText = Annotated[str | None, BeforeValidator(_text)]
Reason = Annotated[str, BeforeValidator(lambda v: (_text(v) or "")[:500])]
UtcTime = Annotated[datetime | None, BeforeValidator(_time), PlainSerializer(iso_z, return_type=str | None)]
Amount = Annotated[Decimal, BeforeValidator(_amount), PlainSerializer(float, return_type=float)]
Number = Annotated[float, PlainSerializer(float, return_type=float)]

UpdateStatus = Literal["accepted", "denied", "in_progress", "completed", "failed"]
EngineState = Literal["DISCONNECTED", "ACTIVATED", "STOPPED", "SUPPLYING", "FAULT"]
CommandName = Literal["start_supply", "stop_supply", "stop_cp", "resume_cp", "shutdown"]


class Message(BaseModel):
    """A protocol message: `from_wire` validates what arrives, `to_wire` writes what leaves."""

    model_config = ConfigDict(frozen=True, extra="ignore")
    # Kafka topic setting and the field the message is keyed by (None: not a Kafka message).
    key_field: ClassVar[str | None] = None

    @classmethod
    def from_wire(cls, data: Any):
        """A dict (or raw JSON bytes) -> a validated message. Raises PoisonMessage naming the field."""
        if isinstance(data, bytes | bytearray | str):
            message = cls._from_json(data)
            if message is not None:
                return message
            data = decode_json_object(data)
        if not isinstance(data, dict):
            raise PoisonMessage("value is not a JSON object")
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            raise PoisonMessage(_describe(exc)) from None

    @classmethod
    def _from_json(cls, raw: bytes | bytearray | str):
        """The consumer's hot path: pydantic parses and validates raw JSON in one pass (half the time of
        json.loads + model_validate). None for whatever it refuses: the caller reads that again the long way, so
        the messages accepted and the errors named are exactly those of the long way."""
        if not raw:
            return None
        try:
            return cls.model_validate_json(raw)
        except ValidationError:
            return None

    def to_wire(self) -> dict:
        return self.model_dump(mode="json")

    def to_bytes(self) -> bytes:
        return json.dumps(self.to_wire()).encode("utf-8")

    @property
    def key(self) -> str:
        return getattr(self, self.key_field)


def _describe(exc: ValidationError) -> str:
    error = exc.errors()[0]
    field = ".".join(str(part) for part in error["loc"]) or "value"
    if error["type"] == "missing":
        return f"{field} is missing"
    if error["type"] == "literal_error":
        return f"{field} {error.get('input')!r} is not one of {error['ctx']['expected']}"
    message = str(error["msg"]).removeprefix("Value error, ")
    return f"{field} {message}"


def decode_json_object(raw: bytes | bytearray | str | None) -> dict:
    """Raw Kafka value -> a JSON object. Raises PoisonMessage."""
    if not raw:
        raise PoisonMessage("empty message value")
    try:
        data = json.loads(raw.decode("utf-8") if isinstance(raw, bytes | bytearray) else raw)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:  # RecursionError: nested too deep
        raise PoisonMessage(f"value is not UTF-8 JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise PoisonMessage("value is not a JSON object")
    return data


def now_utc() -> datetime:
    return timezone.now()


# --- Kafka messages --------------------------------------------------------------------------------------


class DriverRequest(Message):
    """dashboard -> central on `driver.requests`, keyed by driver_id."""

    key_field: ClassVar[str] = "driver_id"
    request_id: Text
    driver_id: Text
    cp_id: Text
    ts: UtcTime = None

    @classmethod
    def for_session(cls, session) -> "DriverRequest":
        return cls(
            request_id=session.request_id,
            driver_id=session.driver.driver_id,
            cp_id=session.charging_point.cp_id,
            ts=now_utc(),
        )


class DriverUpdate(Message):
    """central -> dashboards on `driver.updates`, keyed by driver_id."""

    key_field: ClassVar[str] = "driver_id"
    request_id: OptionalText = None
    driver_id: Text
    cp_id: Text
    status: UpdateStatus
    reason: Reason = ""
    session_id: OptionalText = None
    ts: UtcTime = None

    @classmethod
    def from_wire(cls, data: Any):
        if isinstance(data, bytes | bytearray | str):
            message = cls._from_json(data)
            if message is not None:
                return message
            data = decode_json_object(data)  # e.g. " in_progress ": stripped below, as for a dict
        if isinstance(data, dict) and isinstance(data.get("status"), str):
            data = {**data, "status": data["status"].strip()}
        return super().from_wire(data)


class SessionTicket(Message):
    """engine -> central on `cp.session_end`, central -> dashboards on `driver.ticket`: the final figures."""

    key_field: ClassVar[str] = "driver_id"
    cp_id: Text
    session_id: Text
    driver_id: Text
    start_time: UtcTime = None
    end_time: UtcTime = None
    energy_kwh: Amount
    total_cost_eur: Amount
    ts: UtcTime = None


class CentralCommand(Message):
    """central -> engines on `central.commands`, keyed by cp_id."""

    key_field: ClassVar[str] = "cp_id"
    cmd: CommandName
    cp_id: Text
    payload: dict | None = None
    ts: UtcTime = None


class CPStatus(Message):
    """engine -> central on `cp.status`, keyed by cp_id."""

    key_field: ClassVar[str] = "cp_id"
    cp_id: Text
    state: EngineState
    reason: OptionalText = None
    ts: UtcTime = None


class CPTelemetry(Message):
    """engine -> central on `cp.telemetry` (one a second while supplying), keyed by cp_id."""

    key_field: ClassVar[str] = "cp_id"
    cp_id: Text
    kw: Number
    kwh: Number
    euros: Number
    driver_id: OptionalText = None
    session_id: OptionalText = None
    ts: UtcTime = None


# --- HTTP messages ---------------------------------------------------------------------------------------


class StopRequest(Message):
    """POST /stop-session body."""

    cp_id: Text
    driver_id: Text
    session_id: Text


class StopResponse(Message):
    """POST /stop-session 200 body."""

    success: bool
    cp_id: OptionalText = None
    session_id: OptionalText = None
    message: Reason = ""


UPDATE_STATUSES = ("accepted", "denied", "in_progress", "completed", "failed")
