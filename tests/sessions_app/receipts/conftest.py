"""A finished session with central's ticket, and the text of a PDF read back with pypdf."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from io import BytesIO

import pytest
from pypdf import PdfReader

from sessions_app.status import SessionStatus
from tests.factories import ChargingSessionFactory

NOON = datetime(2025, 10, 25, 12, tzinfo=UTC)


@pytest.fixture(autouse=True)
def receipt_settings(settings):
    settings.RECEIPT_OPERATOR_NAME = "Springfield Charging Ltd"
    settings.RECEIPT_VAT_RATE = Decimal("0.21")


@pytest.fixture
def ticketed(alice, cp):
    """Alice's STOPPED session at CP-001 (price €0.42/kWh) with central's ticket: 25.5 kWh, €10.71, 30 min."""
    return ChargingSessionFactory(
        driver=alice,
        charging_point=cp,
        request_id="req-00000001",
        session_id="session-0001",
        vehicle_id="vehicle-ev-42",
        status=SessionStatus.STOPPED,
        reason="Stopped by driver",
        requested_at=NOON - timedelta(minutes=1),
        started_at=NOON,
        completed_at=NOON + timedelta(minutes=30, seconds=5),
        energy_kwh=Decimal("25.5000"),
        cost_eur=Decimal("10.7100"),
        ticket_received_at=NOON + timedelta(minutes=31),
    )


def pdf_text(content: bytes) -> str:
    reader = PdfReader(BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages)


def pdf_pages(content: bytes) -> int:
    return len(PdfReader(BytesIO(content)).pages)
