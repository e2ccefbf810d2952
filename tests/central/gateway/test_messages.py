"""The protocol's message types: defensive reading, writing to the letter (shared/docs/central-protocol.md)."""

import json
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from central.gateway.messages import (
    CentralCommand,
    CPStatus,
    CPTelemetry,
    DriverRequest,
    DriverUpdate,
    PoisonMessage,
    SessionTicket,
    StopRequest,
    StopResponse,
    decode_json_object,
)

AT = datetime(2026, 11, 23, 21, 57, 6, 270015, tzinfo=UTC)
TICKET = {
    "cp_id": "CP-001",
    "session_id": "session-1a2b3c4d",
    "driver_id": "driver-alice",
    "start_time": "2026-11-23T21:00:00Z",
    "end_time": "2026-11-23T21:57:06.270015Z",
    "energy_kwh": 1.2345,
    "total_cost_eur": 0.5185,
    "ts": "2026-11-23T21:57:06.270015Z",
}

# One of every message type, with every field set.
EVERY_TYPE = [
    DriverRequest(request_id="req-1a2b3c4d", driver_id="driver-alice", cp_id="CP-001", ts=AT),
    DriverUpdate(
        request_id="req-1a2b3c4d",
        driver_id="driver-alice",
        cp_id="CP-001",
        status="completed",
        reason="Session completed: 1.23 kWh, €0.52",
        session_id="session-1a2b3c4d",
        ts=AT,
    ),
    SessionTicket.from_wire(TICKET),
    CentralCommand(
        cmd="start_supply",
        cp_id="CP-001",
        payload={"driver_id": "driver-alice", "request_id": "req-1a2b3c4d", "session_id": "session-1a2b3c4d"},
        ts=AT,
    ),
    CPStatus(cp_id="CP-001", state="FAULT", reason="Overheating", ts=AT),
    CPTelemetry(
        cp_id="CP-001", kw=22.0, kwh=0.0123, euros=0.0052, driver_id="driver-alice", session_id="session-1", ts=AT
    ),
    StopRequest(cp_id="CP-001", driver_id="driver-alice", session_id="session-1a2b3c4d"),
    StopResponse(success=True, cp_id="CP-001", session_id="session-1a2b3c4d", message="Stop command sent to CP-001"),
]


@pytest.mark.parametrize("message", EVERY_TYPE, ids=lambda m: type(m).__name__)
def test_every_message_type_round_trips_through_its_wire_form_and_bytes(message):
    kind = type(message)
    assert kind.from_wire(message.to_wire()) == message
    assert kind.from_wire(message.to_bytes()) == message
    assert json.loads(message.to_bytes()) == message.to_wire()


@pytest.mark.parametrize("written", ["2026-11-23T21:57:06.270015Z", "2026-11-23T21:57:06.270015+00:00"])
def test_z_and_plus_zero_zero_datetimes_are_both_read_and_z_is_written(written):
    request = DriverRequest.from_wire({"request_id": "req-1", "driver_id": "driver-a", "cp_id": "CP-1", "ts": written})
    assert request.ts == AT
    assert request.to_wire()["ts"] == "2026-11-23T21:57:06.270015Z"


def test_a_naive_datetime_is_utc_and_another_offset_is_written_in_utc():
    naive = CPStatus.from_wire({"cp_id": "CP-1", "state": "ACTIVATED", "ts": "2026-11-23T21:57:06.270015"})
    assert naive.ts == AT and naive.ts.tzinfo is not None
    shifted = CPStatus.from_wire({"cp_id": "CP-1", "state": "ACTIVATED", "ts": "2026-11-23T22:57:06.270015+01:00"})
    assert shifted.to_wire()["ts"] == "2026-11-23T21:57:06.270015Z"


def test_optional_fields_are_written_as_null():
    assert DriverUpdate(driver_id="driver-a", cp_id="CP-1", status="in_progress").to_wire() == {
        "request_id": None,
        "driver_id": "driver-a",
        "cp_id": "CP-1",
        "status": "in_progress",
        "reason": "",
        "session_id": None,
        "ts": None,
    }
    assert CentralCommand(cmd="shutdown", cp_id="CP-1").to_wire() == {
        "cmd": "shutdown",
        "cp_id": "CP-1",
        "payload": None,
        "ts": None,
    }
    assert CPStatus(cp_id="CP-1", state="STOPPED").to_wire()["reason"] is None
    assert set(CPTelemetry(cp_id="CP-1", kw=1, kwh=0, euros=0).to_wire()) == {
        "cp_id",
        "kw",
        "kwh",
        "euros",
        "driver_id",
        "session_id",
        "ts",
    }


def test_text_is_stripped_and_an_empty_optional_field_is_null():
    update = DriverUpdate.from_wire(
        {"driver_id": " driver-a ", "cp_id": "CP-1", "status": " accepted ", "session_id": "  ", "reason": None}
    )
    assert (update.driver_id, update.status, update.session_id, update.reason) == ("driver-a", "accepted", None, "")


@pytest.mark.parametrize(
    ("written", "read"),
    [(1.23456, Decimal("1.2346")), ("2.5", Decimal("2.5000")), (3, Decimal("3.0000")), (0, Decimal("0.0000"))],
)
def test_amounts_are_decimals_quantized_to_four_places(written, read):
    ticket = SessionTicket.from_wire({**TICKET, "energy_kwh": written})
    assert ticket.energy_kwh == read
    assert str(ticket.energy_kwh) == str(read)
    assert ticket.to_wire()["energy_kwh"] == float(read)


@pytest.mark.parametrize(
    ("kind", "data", "error"),
    [
        (DriverRequest, {"driver_id": "driver-a", "cp_id": "CP-1"}, "request_id is missing"),
        (DriverRequest, {"request_id": "req-1", "driver_id": "  ", "cp_id": "CP-1"}, "driver_id is missing"),
        (DriverRequest, {"request_id": "req-1", "driver_id": 7, "cp_id": "CP-1"}, "driver_id must be a string"),
        (DriverRequest, {"request_id": "r", "driver_id": "d", "cp_id": "c", "ts": "yesterday"}, "ts is not an ISO"),
        (DriverUpdate, {"driver_id": "d", "cp_id": "c", "status": "ACCEPTED"}, "status 'ACCEPTED' is not one of"),
        (DriverUpdate, {"driver_id": "d", "cp_id": "c"}, "status is missing"),
        (SessionTicket, {**TICKET, "energy_kwh": -1}, "energy_kwh must be a finite number, not negative"),
        (SessionTicket, {**TICKET, "energy_kwh": "NaN"}, "energy_kwh must be a finite number"),
        (SessionTicket, {**TICKET, "total_cost_eur": 1e300}, "total_cost_eur is out of range"),
        (SessionTicket, {**TICKET, "total_cost_eur": True}, "total_cost_eur must be a number"),
        (SessionTicket, {**TICKET, "energy_kwh": None}, "energy_kwh must be a number"),
        (CentralCommand, {"cmd": "explode", "cp_id": "CP-1"}, "cmd 'explode' is not one of"),
        (CPStatus, {"cp_id": "CP-1", "state": "ON"}, "state 'ON' is not one of"),
        (CPTelemetry, {"cp_id": "CP-1", "kw": "fast", "kwh": 0, "euros": 0}, "kw "),
        (StopRequest, {"cp_id": "CP-1", "driver_id": "driver-a"}, "session_id is missing"),
        (StopResponse, {"cp_id": "CP-1"}, "success is missing"),
    ],
)
def test_bad_input_is_poison_naming_the_field(kind, data, error):
    with pytest.raises(PoisonMessage) as caught:
        kind.from_wire(data)
    assert error in str(caught.value)


@pytest.mark.parametrize(
    ("raw", "error"),
    [
        (b"", "empty message value"),
        (b"{not json", "not UTF-8 JSON"),
        (b"\xff\xfe", "not UTF-8 JSON"),
        (b"[1, 2]", "not a JSON object"),
        (None, "not a JSON object"),
        (b"[" * 100_000 + b"]" * 100_000, "not UTF-8 JSON"),
    ],
)
def test_a_value_that_is_not_a_json_object_is_poison(raw, error):
    with pytest.raises(PoisonMessage, match=error):
        DriverRequest.from_wire(raw)


def test_unknown_fields_are_ignored_and_messages_are_keyed_as_the_protocol_says():
    request = DriverRequest.from_wire({"request_id": "r", "driver_id": "driver-a", "cp_id": "CP-1", "extra": 1})
    assert "extra" not in request.to_wire()
    assert request.key == "driver-a"
    assert CPStatus(cp_id="CP-1", state="ACTIVATED").key == "CP-1"
    assert CentralCommand(cmd="resume_cp", cp_id="CP-1").key == "CP-1"
    assert SessionTicket.from_wire(TICKET).key == "driver-alice"


def _read(kind, value):
    try:
        return kind.from_wire(value)
    except PoisonMessage as exc:
        return f"poison: {exc}"


@pytest.mark.parametrize(
    "kind, raw",
    [
        (SessionTicket, json.dumps(TICKET).encode()),
        (SessionTicket, b'{"cp_id":" CP-1 ","session_id":"s","driver_id":"d","energy_kwh":1,"total_cost_eur":"0.3"}'),
        (SessionTicket, b'{"cp_id":"C","session_id":"s","driver_id":"d","energy_kwh":NaN,"total_cost_eur":1}'),
        (SessionTicket, b'{"cp_id":"C","session_id":"s","driver_id":"d","energy_kwh":1e400,"total_cost_eur":1}'),
        (
            SessionTicket,
            b'{"cp_id":"C","session_id":"s","driver_id":"d","energy_kwh":1,"energy_kwh":2,"total_cost_eur":1}',
        ),
        (
            SessionTicket,
            b'\xef\xbb\xbf{"cp_id":"C","session_id":"s","driver_id":"d","energy_kwh":1,"total_cost_eur":1}',
        ),
        (SessionTicket, b'{"cp_id":"C\xff","session_id":"s","driver_id":"d","energy_kwh":1,"total_cost_eur":1}'),
        (
            DriverUpdate,
            b'{"driver_id":"d","cp_id":"C","status":" in_progress ","reason":"  ","ts":"2026-11-23T21:57:06+00:00"}',
        ),
        (DriverUpdate, b'{"driver_id":"d","cp_id":"C","status":"charging"}'),
        (DriverUpdate, b'["driver_id"]'),
        (DriverUpdate, b"{not json"),
        (DriverUpdate, b""),
    ],
)
def test_raw_bytes_read_exactly_as_their_decoded_object(kind, raw):
    # The consumer hands raw bytes to from_wire (pydantic's one-pass JSON reading): the same message, or the
    # same error, as decoding the JSON object first and reading that.
    try:
        decoded = decode_json_object(raw)
    except PoisonMessage as exc:
        decoded = f"poison: {exc}"
    assert _read(kind, raw) == (decoded if isinstance(decoded, str) else _read(kind, decoded))
