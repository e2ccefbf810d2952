"""The receipt's figures: VAT-inclusive money that adds up, its number, and who may see it."""

from decimal import Decimal

import pytest

from sessions_app.receipts.selectors import ReceiptNotFound, percent, receipt_get, receipt_of, session_has_receipt
from sessions_app.status import SessionStatus
from tests.factories import ChargingSessionFactory, UserFactory


@pytest.mark.parametrize(
    ("total", "rate", "net"),
    [
        ("10.7100", "0.21", "8.8512"),
        ("0.0123", "0.21", "0.0102"),
        ("0.0001", "0.21", "0.0001"),
        ("99.9999", "0.055", "94.7866"),
        ("5.0000", "0", "5.0000"),
    ],
)
def test_net_and_vat_add_up_to_the_total(settings, ticketed, total, rate, net):
    settings.RECEIPT_VAT_RATE = Decimal(rate)
    ticketed.cost_eur = Decimal(total)

    receipt = receipt_of(ticketed)

    assert receipt.total == Decimal(total)
    assert receipt.net == Decimal(net)
    assert receipt.net + receipt.vat == receipt.total


@pytest.mark.parametrize(("rate", "text"), [("0.21", "21 %"), ("0.055", "5.5 %"), ("0", "0 %"), ("0.1", "10 %")])
def test_percent(rate, text):
    assert percent(Decimal(rate)) == text


def test_receipt_number_is_the_request_year_and_the_rows_key(ticketed):
    assert receipt_of(ticketed).number == f"R-2025-{ticketed.pk:06d}"


def test_driver_name_falls_back_to_the_users_full_name(ticketed):
    driver = ticketed.driver
    driver.display_name = ""
    driver.save()
    driver.user.first_name, driver.user.last_name = "Alice", "Liddell"
    driver.user.save()

    assert receipt_of(ticketed).driver_name == "Alice Liddell"


def test_the_driver_and_staff_may_see_it_nobody_else(ticketed, bob):
    staff = UserFactory(username="operator", is_staff=True)

    assert receipt_get(user=ticketed.driver.user, session_id="session-0001").number
    assert receipt_get(user=staff, session_id="session-0001").number
    with pytest.raises(ReceiptNotFound):
        receipt_get(user=bob.user, session_id="session-0001")


@pytest.mark.parametrize(
    ("status", "energy", "has_one"),
    [
        (SessionStatus.COMPLETED, Decimal("0.0001"), True),
        (SessionStatus.FAILED, Decimal("2.5"), True),
        (SessionStatus.FAILED, Decimal("0"), False),
        (SessionStatus.DENIED, None, False),
        (SessionStatus.CHARGING, Decimal("2.5"), False),
    ],
)
def test_which_sessions_have_a_receipt(alice, cp, status, energy, has_one):
    session = ChargingSessionFactory(driver=alice, charging_point=cp, status=status, energy_kwh=energy)

    assert session_has_receipt(session) is has_one
