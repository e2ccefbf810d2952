"""The PDF itself: one page, the same bytes every time, any text a point's name may hold."""

from datetime import timedelta
from decimal import Decimal

from sessions_app.receipts.renderer import how_long, receipt_pdf
from sessions_app.receipts.selectors import receipt_of
from tests.sessions_app.receipts.conftest import pdf_pages, pdf_text


def test_same_receipt_same_bytes(ticketed):
    assert receipt_pdf(receipt_of(ticketed)) == receipt_pdf(receipt_of(ticketed))


def test_markup_characters_and_long_names_are_printed_as_written(ticketed):
    point = ticketed.charging_point
    point.name = "Fish & Chips <Rapid> Charger " + "very long name " * 10
    point.address = 'Quay "7" & Pier'
    point.save()
    ticketed.vehicle_id = "<b>not bold</b>"

    content = receipt_pdf(receipt_of(ticketed))
    text = " ".join(pdf_text(content).split())

    assert pdf_pages(content) == 1
    assert "Fish & Chips <Rapid> Charger very long name" in text
    assert 'Quay "7" & Pier' in text
    assert "<b>not bold</b>" in text


def test_large_figures_fit(ticketed):
    ticketed.energy_kwh = Decimal("99999999.9999")
    ticketed.cost_eur = Decimal("99999999.9999")

    text = pdf_text(receipt_pdf(receipt_of(ticketed)))

    assert "99999999.9999 kWh" in text
    assert "€99999999.9999" in text


def test_durations_read_as_hours_minutes_seconds():
    assert how_long(timedelta(hours=1, minutes=5, seconds=9)) == "1 h 05 min 09 s"
    assert how_long(timedelta(seconds=59)) == "0 min 59 s"
    assert how_long(None) == "-"
