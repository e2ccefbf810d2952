"""Benchmark of a receipt's rendering (a script that prints figures, not a test).

For N requests each, through Django's test client in this process (the whole stack: middleware, DRF,
authentication, the queries, and for the PDF reportlab drawing the page):

- `GET /health`                       the baseline, measured in the same run
- `GET /receipts/{session_id}.pdf`    the PDF receipt
- `GET /receipts/{session_id}.json`   the same receipt as a charge detail record
- `receipt_pdf(receipt)`              reportlab alone, without the request around it

It uses its own PostgreSQL database (dropped and re-created):

    .venv/bin/python bench/receipt_render.py [--renders 200]

Environment: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/bench_receipts).
Target: a receipt renders in under 200 ms.
"""

import os
import statistics
import sys

from _support import (
    arguments,
    bench_database_url,
    django_environment,
    django_setup,
    percentile,
    recreate_database,
    timed,
)

DB_URL = bench_database_url("bench_receipts")
TARGET_MS = 200.0


def main() -> None:
    parser = arguments(__doc__)
    parser.add_argument("--renders", type=int, default=200, help="requests measured per line")
    args = parser.parse_args()
    os.environ.update(django_environment(DB_URL))
    recreate_database(DB_URL)
    django_setup()
    run(args)


def run(args) -> None:
    from datetime import timedelta
    from decimal import Decimal

    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.utils import timezone
    from rest_framework.authtoken.models import Token

    from chargingpoints.models import ChargingPoint
    from drivers.models import Driver
    from sessions_app.models import ChargingSession
    from sessions_app.receipts.renderer import receipt_pdf
    from sessions_app.receipts.selectors import receipt_of

    user = get_user_model().objects.create_user(username="bench", password="bench-pass-123")
    driver = Driver.objects.create(driver_id="driver-bench", user=user, display_name="Bench Driver")
    point = ChargingPoint.objects.create(
        cp_id="CP-B001",
        name="Bench Fast Charger",
        address="1 Bench Street",
        city="Springfield",
        latitude=42.1,
        longitude=-72.6,
        connector_type="CCS",
        power_kw=50,
        price_eur_per_kwh=Decimal("0.42"),
    )
    end = timezone.now()
    session = ChargingSession.objects.create(
        driver=driver,
        charging_point=point,
        session_id="session-bench01",
        vehicle_id="vehicle-1",
        status="STOPPED",
        reason="Stopped by driver",
        started_at=end - timedelta(minutes=42),
        completed_at=end,
        energy_kwh=Decimal("35.0000"),
        cost_eur=Decimal("14.7000"),
        ticket_received_at=end,
    )
    client = Client(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")

    def get(path: str, content_type: str):
        def call(_: int = 0):
            response = client.get(path)
            assert response.status_code == 200 and response["Content-Type"].startswith(content_type), response
            return response

        return call

    pdf_size = len(get("/receipts/session-bench01.pdf", "application/pdf")().content)
    receipt = receipt_of(session)
    rows = [
        ("GET /health (baseline)", timed(args.renders, get("/health", "application/json"))),
        ("GET /receipts/{id}.pdf", timed(args.renders, get("/receipts/session-bench01.pdf", "application/pdf"))),
        ("GET /receipts/{id}.json", timed(args.renders, get("/receipts/session-bench01.json", "application/json"))),
        ("receipt_pdf() alone", timed(args.renders, lambda _: receipt_pdf(receipt))),
    ]
    print(f"{args.renders} requests each, in process (Django test client), PostgreSQL; the PDF is {pdf_size} bytes")
    print(f"{'':28}{'median ms':>10}{'p95 ms':>10}{'max ms':>10}")
    for label, times in rows:
        print(f"{label:28}{statistics.median(times):10.1f}{percentile(times, 95):10.1f}{max(times):10.1f}")
    pdf_p95 = percentile(rows[1][1], 95)
    verdict = "within" if pdf_p95 < TARGET_MS else "OVER"
    print(f"PDF receipt p95 {pdf_p95:.1f} ms: {verdict} the {TARGET_MS:.0f} ms target")
    if pdf_p95 >= TARGET_MS:
        sys.exit(1)


if __name__ == "__main__":
    main()
