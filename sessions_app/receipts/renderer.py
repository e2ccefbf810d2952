"""A receipt as a one-page A4 PDF, drawn with reportlab's platypus (no template files, no fonts to install).

The output is byte-for-byte the same for the same receipt (`invariant`: no creation date or random id inside),
so the same URL always gives the same document.
"""

from datetime import datetime, timedelta
from decimal import Decimal
from io import BytesIO
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from reportlab.platypus.flowables import HRFlowable

from common.datetimes import iso_z
from sessions_app.receipts.selectors import Receipt, percent

_STYLES = getSampleStyleSheet()
TITLE = ParagraphStyle("ReceiptTitle", parent=_STYLES["Title"], alignment=0, fontSize=20, spaceAfter=2 * mm)
OPERATOR = ParagraphStyle("ReceiptOperator", parent=_STYLES["Heading2"], spaceBefore=0, spaceAfter=1 * mm)
HEADING = ParagraphStyle("ReceiptHeading", parent=_STYLES["Heading3"], spaceBefore=5 * mm, spaceAfter=1.5 * mm)
BODY = ParagraphStyle("ReceiptBody", parent=_STYLES["BodyText"], fontSize=9.5, leading=12.5)
NOTE = ParagraphStyle("ReceiptNote", parent=BODY, fontSize=8.5, leading=11, textColor=colors.HexColor("#444444"))
AMOUNT = ParagraphStyle("ReceiptAmount", parent=BODY, alignment=TA_RIGHT)
TOTAL = ParagraphStyle("ReceiptTotal", parent=BODY, fontSize=11.5, leading=15)
TOTAL_AMOUNT = ParagraphStyle("ReceiptTotalAmount", parent=TOTAL, alignment=TA_RIGHT)
WARNING = ParagraphStyle("ReceiptWarning", parent=BODY, textColor=colors.HexColor("#8a4b00"))
MARGIN = 20 * mm
# The frame's width: the page less its margins and the frame's own padding (6 pt each side).
CONTENT_WIDTH = A4[0] - 2 * MARGIN - 12
LABEL_WIDTH = 45 * mm
AMOUNT_WIDTH = 50 * mm


def euros(amount: Decimal) -> str:
    return f"€{amount:.4f}"


def kwh(energy: Decimal) -> str:
    return f"{energy:.4f} kWh"


def when(moment: datetime | None) -> str:
    """`2025-10-25 12:00:00 UTC` (the API's instants, readable), or a dash when unknown."""
    if moment is None:
        return "-"
    return iso_z(moment.replace(microsecond=0)).replace("T", " ").replace("Z", " UTC")


def how_long(duration: timedelta | None) -> str:
    """`1 h 05 min 09 s`, `12 min 30 s`, or a dash when unknown."""
    if duration is None:
        return "-"
    seconds = int(duration.total_seconds())
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    if hours:
        return f"{hours} h {minutes:02d} min {seconds:02d} s"
    return f"{minutes} min {seconds:02d} s"


def _rows(rows: list[tuple[str, str]], *, amounts: bool = False, bold_last: bool = False) -> Table:
    style = AMOUNT if amounts else BODY
    data = [[Paragraph(f"<b>{escape(label)}</b>", BODY), Paragraph(escape(value), style)] for label, value in rows]
    if bold_last:
        label, value = rows[-1]
        data[-1] = [Paragraph(f"<b>{escape(label)}</b>", TOTAL), Paragraph(f"<b>{escape(value)}</b>", TOTAL_AMOUNT)]
    widths = [CONTENT_WIDTH - AMOUNT_WIDTH, AMOUNT_WIDTH] if amounts else [LABEL_WIDTH, CONTENT_WIDTH - LABEL_WIDTH]
    table = Table(data, colWidths=widths, hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 1),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
            ]
        )
    )
    return table


def _totals(receipt: Receipt) -> Table:
    table = _rows(
        [
            ("Energy", kwh(receipt.energy_kwh)),
            ("Unit price (VAT included)", f"{euros(receipt.unit_price)} / kWh"),
            ("Net amount", euros(receipt.net)),
            (f"VAT {percent(receipt.vat_rate)}", euros(receipt.vat)),
            ("Total (VAT included)", euros(receipt.total)),
        ],
        amounts=True,
        bold_last=True,
    )
    table.setStyle(
        TableStyle([("LINEABOVE", (0, -1), (-1, -1), 0.8, colors.black), ("TOPPADDING", (0, -1), (-1, -1), 3)])
    )
    return table


def receipt_pdf(receipt: Receipt) -> bytes:
    """The receipt as PDF bytes."""
    buffer = BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=f"Charging receipt {receipt.number}",
        author=receipt.operator_name,
        subject=f"Charging session {receipt.central_session_id} at {receipt.cp_id}",
        creator="EV driver dashboard",
        invariant=1,
    )
    driver = receipt.driver_id + (f" ({receipt.driver_name})" if receipt.driver_name else "")
    address = ", ".join(part for part in (receipt.cp_address, receipt.cp_city) if part)
    story = [
        Paragraph(escape(receipt.operator_name), OPERATOR),
        Paragraph("Charging receipt", TITLE),
        _rows([("Receipt number", receipt.number), ("Date", when(receipt.completed_at))]),
        HRFlowable(width="100%", thickness=0.6, color=colors.grey, spaceBefore=3 * mm, spaceAfter=1 * mm),
        Paragraph("Charging point", HEADING),
        _rows(
            [
                ("Name", receipt.cp_name),
                ("Address", address),
                ("Charging point id", receipt.cp_id),
                ("Connector", receipt.connector_type),
            ]
        ),
        Paragraph("Session", HEADING),
        _rows(
            [
                ("Driver", driver),
                ("Vehicle", receipt.vehicle_id),
                ("Start", when(receipt.started_at)),
                ("End", when(receipt.completed_at)),
                ("Duration", how_long(receipt.duration)),
                ("How it ended", receipt.ended),
                ("Why", receipt.reason or "-"),
                ("Central's session id", receipt.central_session_id),
                ("Request id", receipt.request_id),
            ]
        ),
        Paragraph("Amount", HEADING),
        _totals(receipt),
        Spacer(1, 3 * mm),
        # Said where the amounts are: whether they are final is part of the figures.
        Paragraph(escape(receipt.figures_source), BODY if receipt.final else WARNING),
        Spacer(1, 3 * mm),
        Paragraph(escape(receipt.vat_note), NOTE),
        Paragraph(
            escape(
                "The unit price is the charging point's price when the request was made. "
                "Amounts to 4 decimals, as metered."
            ),
            NOTE,
        ),
    ]
    document.build(story)
    return buffer.getvalue()
