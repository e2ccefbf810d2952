from django.urls import path

import common.converters  # noqa: F401  (registers the `id` path converter)
from sessions_app.receipts.apis import ReceiptCdrApi, ReceiptPdfApi

urlpatterns = [
    path("receipts/<id:session_id>.pdf", ReceiptPdfApi.as_view(), name="receipt-pdf"),
    path("receipts/<id:session_id>.json", ReceiptCdrApi.as_view(), name="receipt-cdr"),
]
