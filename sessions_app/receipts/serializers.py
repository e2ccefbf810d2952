"""A receipt shaped as a charge detail record: OCPI 2.2.1's CDR field names where they fit.

OCPI amounts are numbers; `total_cost` and `total_energy_cost` are OCPI `Price` objects ({excl_vat, incl_vat}),
`total_time` is in hours, coordinates are strings, a tariff's price component is per kWh excluding VAT with the
VAT as a percentage. Fields OCPI has no name for (the operator, the driver's name, how the session ended) are
the dashboard's own and say so in their description.
"""

from decimal import Decimal

from rest_framework import serializers

from common.schema import UtcDateTimeField
from sessions_app.receipts.selectors import FOUR_PLACES, Receipt, percent, receipt_path

# OCPI 2.2.1 ConnectorType for the dashboard's connector types.
CONNECTOR_STANDARDS = {"Type 2": "IEC_62196_T2", "CCS": "IEC_62196_T2_COMBO", "CHAdeMO": "CHADEMO"}


class PriceSerializer(serializers.Serializer):
    excl_vat = serializers.FloatField(help_text="EUR, VAT excluded (4 decimals).")
    incl_vat = serializers.FloatField(help_text="EUR, VAT included (4 decimals).")


class GeoLocationSerializer(serializers.Serializer):
    latitude = serializers.CharField(help_text='Decimal degrees as a string, as OCPI writes them ("42.101500").')
    longitude = serializers.CharField(help_text="Decimal degrees as a string.")


class CdrLocationSerializer(serializers.Serializer):
    id = serializers.CharField(help_text="The charging point's id (`cp_id`).")
    name = serializers.CharField()
    address = serializers.CharField()
    city = serializers.CharField()
    coordinates = GeoLocationSerializer()
    connector_standard = serializers.CharField(help_text="OCPI ConnectorType of the point's connector.")


class CdrTokenSerializer(serializers.Serializer):
    uid = serializers.CharField(help_text="The driver's id.")
    type = serializers.CharField(help_text='Always "APP_USER": the driver asked through this dashboard.')
    contract_id = serializers.CharField(help_text="The driver's id.")


class PriceComponentSerializer(serializers.Serializer):
    type = serializers.CharField(help_text='Always "ENERGY": the price is per kWh.')
    price = serializers.FloatField(help_text="EUR per kWh, VAT excluded.")
    vat = serializers.FloatField(help_text="VAT percentage (21.0 for 21 %).")
    step_size = serializers.IntegerField(help_text="Billed per Wh (1).")


class TariffElementSerializer(serializers.Serializer):
    price_components = PriceComponentSerializer(many=True)


class DisplayTextSerializer(serializers.Serializer):
    language = serializers.CharField()
    text = serializers.CharField()


class TariffSerializer(serializers.Serializer):
    id = serializers.CharField(help_text="`<cp_id>-<price incl. VAT>`: the point's tariff when the request was made.")
    currency = serializers.CharField()
    type = serializers.CharField()
    tariff_alt_text = DisplayTextSerializer(many=True)
    elements = TariffElementSerializer(many=True)
    price_per_kwh = PriceSerializer(help_text="Not OCPI: the unit price applied, with and without VAT.")


class DriverRefSerializer(serializers.Serializer):
    driver_id = serializers.CharField()
    name = serializers.CharField(help_text="Empty when the driver has no name on record.")


class ChargeDetailRecordSerializer(serializers.Serializer):
    """Built from a `Receipt` by `cdr_data()`; the serializer documents and renders the shape."""

    id = serializers.CharField(help_text="The receipt number: unique, and the same on every request.")
    start_date_time = UtcDateTimeField(allow_null=True)
    end_date_time = UtcDateTimeField(allow_null=True)
    session_id = serializers.CharField(help_text="Central's id of the session.")
    cdr_token = CdrTokenSerializer()
    auth_method = serializers.CharField(help_text='Always "COMMAND": started by a request of the driver.')
    cdr_location = CdrLocationSerializer()
    currency = serializers.CharField(help_text='"EUR".')
    tariffs = TariffSerializer(many=True, help_text="The tariff applied: the point's price when the request was made.")
    total_cost = PriceSerializer()
    total_energy = serializers.FloatField(help_text="kWh (4 decimals).")
    total_energy_cost = PriceSerializer(help_text="The energy is all that is billed: equal to `total_cost`.")
    total_time = serializers.FloatField(help_text="Hours from start to end (4 decimals).")
    remark = serializers.CharField(help_text="How the session ended and why, and where the figures come from.")
    last_updated = UtcDateTimeField(help_text="When these figures last changed (the ticket's arrival, else the end).")
    # Not in OCPI's CDR: what the PDF receipt shows besides.
    operator_name = serializers.CharField(help_text="Not OCPI: the seller named on the receipt.")
    driver = DriverRefSerializer(help_text="Not OCPI: the driver, with their name.")
    vehicle_id = serializers.CharField(help_text="Not OCPI.")
    request_id = serializers.CharField(help_text="Not OCPI: the dashboard's id of the request.")
    status = serializers.CharField(help_text="Not OCPI: the session's final status (COMPLETED, STOPPED, ...).")
    reason = serializers.CharField(help_text="Not OCPI: why it ended, as recorded.")
    vat_rate = serializers.FloatField(help_text="Not OCPI: the VAT rate as a fraction (0.21).")
    final = serializers.BooleanField(
        help_text="Not OCPI: true when the figures are central's ticket, false when they are the dashboard's "
        "last reading (they may still change)."
    )
    receipt_url = serializers.CharField(help_text="Not OCPI: the same receipt as PDF.")


def _remark(receipt: Receipt) -> str:
    """How it ended (why). Where the figures come from: "Stopped by the driver (Stopped by driver). Figures ..." """
    why = f" ({receipt.reason.rstrip('.')})" if receipt.reason else ""
    return f"{receipt.ended}{why}. {receipt.figures_source}"


def cdr_data(receipt: Receipt) -> dict:
    """The CDR's fields from a receipt (serialize with ChargeDetailRecordSerializer)."""
    total = {"excl_vat": receipt.net, "incl_vat": receipt.total}
    duration = receipt.duration
    hours = Decimal(duration.total_seconds()) / 3600 if duration is not None else Decimal(0)
    return {
        "id": receipt.number,
        "start_date_time": receipt.started_at,
        "end_date_time": receipt.completed_at,
        "session_id": receipt.central_session_id,
        "cdr_token": {"uid": receipt.driver_id, "type": "APP_USER", "contract_id": receipt.driver_id},
        "auth_method": "COMMAND",
        "cdr_location": {
            "id": receipt.cp_id,
            "name": receipt.cp_name,
            "address": receipt.cp_address,
            "city": receipt.cp_city,
            "coordinates": {"latitude": f"{receipt.cp_latitude:.6f}", "longitude": f"{receipt.cp_longitude:.6f}"},
            "connector_standard": CONNECTOR_STANDARDS.get(receipt.connector_type, receipt.connector_type),
        },
        "currency": receipt.currency,
        "tariffs": [
            {
                "id": f"{receipt.cp_id}-{receipt.unit_price}",
                "currency": receipt.currency,
                "type": "REGULAR",
                "tariff_alt_text": [
                    {
                        "language": "en",
                        "text": f"€{receipt.unit_price} per kWh, VAT {percent(receipt.vat_rate)} included",
                    }
                ],
                "elements": [
                    {
                        "price_components": [
                            {
                                "type": "ENERGY",
                                "price": receipt.unit_price_net,
                                "vat": receipt.vat_rate * 100,
                                "step_size": 1,
                            }
                        ]
                    }
                ],
                "price_per_kwh": {"excl_vat": receipt.unit_price_net, "incl_vat": receipt.unit_price},
            }
        ],
        "total_cost": total,
        "total_energy": receipt.energy_kwh,
        "total_energy_cost": total,
        "total_time": hours.quantize(FOUR_PLACES),
        "remark": _remark(receipt),
        "last_updated": receipt.last_updated,
        "operator_name": receipt.operator_name,
        "driver": {"driver_id": receipt.driver_id, "name": receipt.driver_name},
        "vehicle_id": receipt.vehicle_id,
        "request_id": receipt.request_id,
        "status": receipt.status,
        "reason": receipt.reason,
        "vat_rate": receipt.vat_rate,
        "final": receipt.final,
        "receipt_url": receipt_path(receipt.central_session_id),
    }
