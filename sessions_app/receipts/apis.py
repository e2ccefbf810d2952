"""`GET /receipts/{session_id}.pdf` and `.json`: a finished session's receipt, for its driver (or staff) only.

Authentication as the `/drivers/...` endpoints (token, session login, single-driver mode); without any, 401.
Another driver's session, an unknown one and one that delivered nothing all answer the same 404.
"""

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from common.schema import UNAUTHENTICATED, error
from sessions_app.receipts.renderer import receipt_pdf
from sessions_app.receipts.selectors import receipt_get
from sessions_app.receipts.serializers import ChargeDetailRecordSerializer, cdr_data

TAGS = ["receipts"]
RECEIPT_NOT_FOUND = error(
    'No receipt for you under this id: `{"detail": "Receipt not found"}` (another driver\'s session, an unknown '
    "one, one still open, or one that delivered no energy)."
)
MONEY = (
    "The point's price includes VAT (`RECEIPT_VAT_RATE`, default 0.21): the total is the session's cost, net = "
    "total / (1 + rate), VAT = total − net. The unit price is the one in force when the request was made. The "
    "figures are central's ticket when it has arrived, else the dashboard's last reading, and the receipt says which."
)


class ReceiptPdfApi(APIView):
    @extend_schema(
        operation_id="receipt_pdf",
        summary="A session's receipt (PDF)",
        description="The receipt of a finished session that delivered energy, as a one-page PDF: operator, "
        "point, driver, vehicle, start, end, duration, energy, unit price, net, VAT, total, how it ended and why, "
        "central's session id and a receipt number (unique, the same on every request). " + MONEY,
        responses={
            (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="The receipt."),
            401: UNAUTHENTICATED,
            404: RECEIPT_NOT_FOUND,
        },
        tags=TAGS,
    )
    def get(self, request, session_id: str):
        receipt = receipt_get(user=request.user, session_id=session_id)
        response = HttpResponse(receipt_pdf(receipt), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="receipt-{receipt.number}.pdf"'
        # Personal, and it changes once when central's ticket replaces the last reading.
        response["Cache-Control"] = "private, no-cache"
        return response

    def perform_content_negotiation(self, request, force=False):
        # A client that accepts only PDF still gets its errors (401, 404) as JSON, not 406.
        return super().perform_content_negotiation(request, force=True)


class ReceiptCdrApi(APIView):
    @extend_schema(
        operation_id="receipt_cdr",
        summary="A session's receipt as a charge detail record (JSON)",
        description="The same receipt shaped as an OCPI 2.2.1 CDR where its field names fit (`total_energy`, "
        "`total_time` in hours, `total_cost` with `excl_vat`/`incl_vat`, `cdr_location`, `tariffs`, `remark`); "
        "fields OCPI has no name for are marked 'Not OCPI'. " + MONEY,
        responses={200: ChargeDetailRecordSerializer, 401: UNAUTHENTICATED, 404: RECEIPT_NOT_FOUND},
        tags=TAGS,
    )
    def get(self, request, session_id: str):
        receipt = receipt_get(user=request.user, session_id=session_id)
        response = Response(ChargeDetailRecordSerializer(cdr_data(receipt)).data)
        response["Cache-Control"] = "private, no-cache"
        return response
