"""GET /receipts/{session_id}.pdf and .json: the receipt read back, who may see it, and what has none."""

import re
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from sessions_app.status import SessionStatus
from tests.factories import ChargingSessionFactory, UserFactory
from tests.sessions_app.receipts.conftest import NOON, pdf_pages, pdf_text

PDF = "/receipts/session-0001.pdf"
JSON = "/receipts/session-0001.json"
NOT_FOUND = {"detail": "Receipt not found"}


def lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def value_after(text: str, label: str) -> str:
    """The line after `label` in the PDF's text: the table's value beside it."""
    found = lines(text)
    return found[found.index(label) + 1]


def test_pdf_receipt_has_every_field(alice_client, ticketed):
    response = alice_client.get(PDF)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'inline; filename="receipt-R-2025-{ticketed.pk:06d}.pdf"'
    assert response.content.startswith(b"%PDF-")
    assert pdf_pages(response.content) == 1
    text = pdf_text(response.content)
    assert lines(text)[:2] == ["Springfield Charging Ltd", "Charging receipt"]
    assert value_after(text, "Receipt number") == f"R-2025-{ticketed.pk:06d}"
    assert value_after(text, "Name") == "Downtown Fast Charger"
    assert value_after(text, "Address") == "123 Main St, Springfield"
    assert value_after(text, "Charging point id") == "CP-001"
    assert value_after(text, "Driver") == "driver-alice (Alice)"
    assert value_after(text, "Vehicle") == "vehicle-ev-42"
    assert value_after(text, "Start") == "2025-10-25 12:00:00 UTC"
    assert value_after(text, "End") == "2025-10-25 12:30:05 UTC"
    assert value_after(text, "Duration") == "30 min 05 s"
    assert value_after(text, "How it ended") == "Stopped by the driver"
    assert value_after(text, "Why") == "Stopped by driver"
    assert value_after(text, "Central's session id") == "session-0001"
    assert value_after(text, "Request id") == "req-00000001"
    # VAT-inclusive price: net = 10.71 / 1.21 = 8.85124 -> 8.8512; VAT = the rest.
    assert value_after(text, "Energy") == "25.5000 kWh"
    assert value_after(text, "Unit price (VAT included)") == "€0.4200 / kWh"
    assert value_after(text, "Net amount") == "€8.8512"
    assert value_after(text, "VAT 21 %") == "€1.8588"
    assert value_after(text, "Total (VAT included)") == "€10.7100"
    assert "Figures from central's final ticket for this session." in text
    assert "Prices include VAT at 21 %: net amount = total / 1.21, VAT = total - net amount." in text
    assert "last reading" not in text


def test_operator_name_and_vat_rate_are_settings(settings, alice_client, ticketed):
    settings.RECEIPT_OPERATOR_NAME = "Shelbyville Power"
    settings.RECEIPT_VAT_RATE = Decimal("0.055")

    text = pdf_text(alice_client.get(PDF).content)

    assert lines(text)[0] == "Shelbyville Power"
    assert value_after(text, "Net amount") == "€10.1517"  # 10.71 / 1.055
    assert value_after(text, "VAT 5.5 %") == "€0.5583"
    assert value_after(text, "Total (VAT included)") == "€10.7100"


def test_figures_without_the_ticket_are_said_to_be_the_last_reading(alice_client, ticketed):
    ticketed.ticket_received_at = None
    ticketed.save()

    text = pdf_text(alice_client.get(PDF).content)
    cdr = alice_client.get(JSON).json()

    assert "Figures are the dashboard's last reading: central's final ticket for this session has not arrived" in (
        " ".join(lines(text))
    )
    assert "final ticket for this session." not in text
    assert cdr["final"] is False
    assert "dashboard's last reading" in cdr["remark"]
    assert cdr["last_updated"] == "2025-10-25T12:30:05Z"  # the end, as no ticket came


def test_cdr_has_the_ocpi_fields_and_figures(alice_client, ticketed):
    response = alice_client.get(JSON)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "id": f"R-2025-{ticketed.pk:06d}",
        "start_date_time": "2025-10-25T12:00:00Z",
        "end_date_time": "2025-10-25T12:30:05Z",
        "session_id": "session-0001",
        "cdr_token": {"uid": "driver-alice", "type": "APP_USER", "contract_id": "driver-alice"},
        "auth_method": "COMMAND",
        "cdr_location": {
            "id": "CP-001",
            "name": "Downtown Fast Charger",
            "address": "123 Main St",
            "city": "Springfield",
            "coordinates": {"latitude": "42.101500", "longitude": "-72.589800"},
            "connector_standard": "IEC_62196_T2_COMBO",
        },
        "currency": "EUR",
        "tariffs": [
            {
                "id": "CP-001-0.4200",
                "currency": "EUR",
                "type": "REGULAR",
                "tariff_alt_text": [{"language": "en", "text": "€0.4200 per kWh, VAT 21 % included"}],
                "elements": [{"price_components": [{"type": "ENERGY", "price": 0.3471, "vat": 21.0, "step_size": 1}]}],
                "price_per_kwh": {"excl_vat": 0.3471, "incl_vat": 0.42},
            }
        ],
        "total_cost": {"excl_vat": 8.8512, "incl_vat": 10.71},
        "total_energy": 25.5,
        "total_energy_cost": {"excl_vat": 8.8512, "incl_vat": 10.71},
        "total_time": 0.5014,  # 30 min 5 s
        "remark": "Stopped by the driver (Stopped by driver). Figures from central's final ticket for this session.",
        "last_updated": "2025-10-25T12:31:00Z",
        "operator_name": "Springfield Charging Ltd",
        "driver": {"driver_id": "driver-alice", "name": "Alice"},
        "vehicle_id": "vehicle-ev-42",
        "request_id": "req-00000001",
        "status": "STOPPED",
        "reason": "Stopped by driver",
        "vat_rate": 0.21,
        "final": True,
        "receipt_url": "/receipts/session-0001.pdf",
    }


def test_cdr_opens_in_the_browsable_api(alice, ticketed):
    client = APIClient()
    client.force_login(alice.user)

    response = client.get(JSON, HTTP_ACCEPT="text/html")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert f"R-2025-{ticketed.pk:06d}" in response.content.decode()


def test_receipt_number_is_stable_across_requests_and_unique_across_sessions(alice, alice_client, cp, ticketed):
    other = ChargingSessionFactory(
        driver=alice,
        charging_point=cp,
        session_id="session-0002",
        status=SessionStatus.COMPLETED,
        started_at=NOON,
        energy_kwh=Decimal("1.0000"),
        cost_eur=Decimal("0.4200"),
    )

    first, again = alice_client.get(PDF), alice_client.get(PDF)
    numbers = {alice_client.get(f"/receipts/{s.session_id}.json").json()["id"] for s in (ticketed, other)}

    assert first.content == again.content  # the very same document
    assert value_after(pdf_text(again.content), "Receipt number") == f"R-2025-{ticketed.pk:06d}"
    assert alice_client.get(JSON).json()["id"] == f"R-2025-{ticketed.pk:06d}"
    assert len(numbers) == 2
    assert all(re.fullmatch(r"R-\d{4}-\d{6,}", number) for number in numbers)


@pytest.mark.parametrize("url", [PDF, JSON])
def test_another_driver_gets_404(bob_client, ticketed, url):
    response = bob_client.get(url)

    assert response.status_code == 404
    assert response.json() == NOT_FOUND


@pytest.mark.parametrize("url", [PDF, JSON])
def test_staff_get_any_receipt(ticketed, url):
    client = APIClient()
    client.force_authenticate(UserFactory(username="operator", is_staff=True))

    assert client.get(url).status_code == 200


@pytest.mark.parametrize("url", [PDF, JSON])
def test_without_credentials_is_401(anon_client, ticketed, url):
    assert anon_client.get(url).status_code == 401


def test_session_login_gets_the_pdf(alice, ticketed):
    client = APIClient()
    assert client.login(username="alice", password="secret-pass-123")

    response = client.get(PDF)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"


def test_single_driver_mode_gets_the_pdf_without_credentials(settings, ticketed):
    settings.DRIVER_DRIVER_ID = "driver-alice"

    response = APIClient().get(PDF)  # from 127.0.0.1, no token, no login

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"


def test_single_driver_mode_does_not_open_another_drivers_receipt(settings, ticketed, bob):
    settings.DRIVER_DRIVER_ID = "driver-bob"

    assert APIClient().get(PDF).status_code == 404


def test_pdf_only_client_gets_its_404_as_json(bob_client, ticketed):
    response = bob_client.get(PDF, HTTP_ACCEPT="application/pdf")

    assert response.status_code == 404
    assert response.json() == NOT_FOUND


@pytest.mark.parametrize(
    ("status", "energy"),
    [
        (SessionStatus.DENIED, None),
        (SessionStatus.CANCELLED, None),
        (SessionStatus.CANCELLED, Decimal("0")),
        (SessionStatus.FAILED, Decimal("0")),
    ],
)
def test_session_that_delivered_nothing_has_no_receipt(alice, alice_client, cp, status, energy):
    session = ChargingSessionFactory(
        driver=alice, charging_point=cp, session_id="session-0009", status=status, energy_kwh=energy
    )

    history = alice_client.get("/drivers/driver-alice/sessions/history").json()

    assert [item["receipt_url"] for item in history] == [None]
    for url in (f"/receipts/{session.session_id}.pdf", f"/receipts/{session.session_id}.json"):
        response = alice_client.get(url)
        assert response.status_code == 404
        assert response.json() == NOT_FOUND


def test_open_session_has_no_receipt_yet(alice, alice_client, cp):
    ChargingSessionFactory(
        driver=alice,
        charging_point=cp,
        session_id="session-0010",
        status=SessionStatus.CHARGING,
        started_at=NOON,
        energy_kwh=Decimal("3.0000"),
    )

    assert alice_client.get("/receipts/session-0010.pdf").status_code == 404


def test_unknown_session_is_404(alice_client, db):
    response = alice_client.get("/receipts/session-nope.pdf")

    assert response.status_code == 404
    assert response.json() == NOT_FOUND


def test_history_links_to_a_receipt_that_opens(alice_client, ticketed):
    (item,) = alice_client.get("/drivers/driver-alice/sessions/history").json()

    assert item["receipt_url"] == PDF
    assert alice_client.get(item["receipt_url"]).status_code == 200


def test_unknown_cost_is_energy_times_the_stored_price(alice_client, ticketed):
    ticketed.cost_eur = None
    ticketed.ticket_received_at = None
    ticketed.save()

    cdr = alice_client.get(JSON).json()

    assert cdr["total_cost"] == {"excl_vat": 8.8512, "incl_vat": 10.71}  # 25.5 kWh × €0.42


def test_start_unknown_shows_a_dash_and_zero_time(alice_client, ticketed):
    ticketed.started_at = None
    ticketed.save()

    text = pdf_text(alice_client.get(PDF).content)

    assert value_after(text, "Start") == "-"
    assert value_after(text, "Duration") == "-"
    assert alice_client.get(JSON).json()["total_time"] == 0.0
