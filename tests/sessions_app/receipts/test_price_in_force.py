"""The price in force when the request was made is stored on the session: live cost, final cost and receipt agree
even when an operator edits the point's price meanwhile."""

import json
from decimal import Decimal

from django.conf import settings
from django.db import transaction

from central.sync.poll import central_picture_apply
from central.sync.updates import central_event_apply, central_event_decode
from chargingpoints.models import ChargingPoint
from sessions_app.models import ChargingSession
from tests.factories import ChargingSessionFactory
from tests.sessions_app.receipts.conftest import pdf_text
from tests.sessions_app.receipts.test_apis import value_after


def deliver(topic: str, message: dict) -> None:
    event = central_event_decode(topic, json.dumps(message).encode())
    with transaction.atomic():
        central_event_apply(event)


def update(session: ChargingSession, status: str, central_id: str) -> dict:
    return {
        "request_id": session.request_id,
        "driver_id": "driver-alice",
        "cp_id": "CP-001",
        "status": status,
        "reason": "",
        "session_id": central_id,
        "ts": "2026-11-23T21:00:00Z",
    }


def poll_sees(kwh: float, euros: float, central_id: str) -> None:
    central_picture_apply(
        [
            {
                "cp_id": "CP-001",
                "state": "ACTIVE",
                "engine_state": "SUPPLYING",
                "current_driver": "driver-alice",
                "current_session": central_id,
                "communication_status": "OK",
                "telemetry": {"kw": 50.0, "kwh": kwh, "euros": euros, "session_id": central_id},
            }
        ]
    )


def test_request_stores_the_points_price(alice_client, cp):
    response = alice_client.post(
        "/drivers/driver-alice/requests", {"cp_id": "CP-001", "vehicle_id": "vehicle-1"}, format="json"
    )

    assert response.status_code == 202
    assert ChargingSession.objects.get().price_eur_per_kwh == Decimal("0.4200")


def test_live_final_and_receipt_agree_when_the_price_is_edited_meanwhile(alice_client, cp):
    alice_client.post("/drivers/driver-alice/requests", {"cp_id": "CP-001", "vehicle_id": "v-1"}, format="json")
    session = ChargingSession.objects.get()
    deliver(settings.KAFKA_TOPIC_UPDATES, update(session, "accepted", "session-price1"))
    deliver(settings.KAFKA_TOPIC_UPDATES, update(session, "in_progress", "session-price1"))

    # An operator raises the point's price while alice charges; central bills her session at the old one.
    ChargingPoint.objects.filter(pk=cp.pk).update(price_eur_per_kwh=Decimal("0.9900"))
    poll_sees(kwh=2.0, euros=0.84, central_id="session-price1")
    live = alice_client.get("/drivers/driver-alice/sessions/current").json()
    deliver(
        settings.KAFKA_TOPIC_TICKETS,
        {
            "cp_id": "CP-001",
            "session_id": "session-price1",
            "driver_id": "driver-alice",
            "start_time": "2026-11-23T21:00:00Z",
            "end_time": "2026-11-23T21:10:00Z",
            "energy_kwh": 3.0,
            "total_cost_eur": 1.26,
            "ts": "2026-11-23T21:10:01Z",
        },
    )
    (final,) = alice_client.get("/drivers/driver-alice/sessions/history").json()
    text = pdf_text(alice_client.get(final["receipt_url"]).content)
    cdr = alice_client.get("/receipts/session-price1.json").json()

    assert live["cost_eur"] == 0.84  # 2 kWh × €0.42
    assert final["cost_eur"] == 1.26  # 3 kWh × €0.42
    assert value_after(text, "Unit price (VAT included)") == "€0.4200 / kWh"
    assert value_after(text, "Total (VAT included)") == "€1.2600"
    assert cdr["tariffs"][0]["price_per_kwh"]["incl_vat"] == 0.42
    assert cdr["total_cost"]["incl_vat"] == 1.26
    assert Decimal(str(cdr["total_energy"])) * Decimal("0.42") == Decimal(str(cdr["total_cost"]["incl_vat"]))
    assert ChargingSession.objects.get().price_eur_per_kwh == Decimal("0.4200")


def test_a_request_after_the_edit_stores_the_new_price(alice_client, cp):
    ChargingPoint.objects.filter(pk=cp.pk).update(price_eur_per_kwh=Decimal("0.9900"))

    alice_client.post("/drivers/driver-alice/requests", {"cp_id": "CP-001", "vehicle_id": "v-1"}, format="json")

    assert ChargingSession.objects.get().price_eur_per_kwh == Decimal("0.9900")


def test_a_session_created_without_a_price_takes_the_points(alice, cp):
    session = ChargingSessionFactory(driver=alice, charging_point=cp)

    assert ChargingSession.objects.get(pk=session.pk).price_eur_per_kwh == Decimal("0.4200")


def test_a_session_keeps_its_price_when_saved_after_the_edit(alice, cp):
    session = ChargingSessionFactory(driver=alice, charging_point=cp)
    ChargingPoint.objects.filter(pk=cp.pk).update(price_eur_per_kwh=Decimal("0.9900"))

    session.refresh_from_db()
    session.vehicle_id = "vehicle-2"
    session.save()

    assert ChargingSession.objects.get(pk=session.pk).price_eur_per_kwh == Decimal("0.4200")
