"""Output shapes of the charging-point endpoints (the specification's field names, exactly)."""

from rest_framework import serializers

from chargingpoints.models import PointStatus
from common.schema import UtcDateTimeField


class LocationSerializer(serializers.Serializer):
    address = serializers.CharField()
    city = serializers.CharField()
    latitude = serializers.FloatField()
    longitude = serializers.FloatField()
    distance_km = serializers.FloatField(
        allow_null=True,
        help_text="Great-circle distance from `lat`/`lng` (else the driver's home), 1 decimal; null without either.",
    )


class ChargingPointSerializer(serializers.Serializer):
    cp_id = serializers.CharField()
    name = serializers.CharField()
    status = serializers.ChoiceField(choices=PointStatus.choices)
    power_kw = serializers.FloatField()
    connector_type = serializers.CharField()
    location = LocationSerializer(source="*")
    queue_length = serializers.IntegerField(help_text="Drivers waiting on this dashboard's queue for the point.")
    estimated_wait_minutes = serializers.IntegerField(
        help_text="For a driver arriving now, rounded up: the rest of the session charging now (OCCUPIED: typical "
        "− minutes it has run, at least 1) plus one typical session per driver waiting. Typical: the median length "
        "of the point's last 20 finished sessions (at least 3), else of its power class's (≤ 7.4, ≤ 22, ≤ 50 kW, "
        "more), else DEFAULT_SESSION_MINUTES. A FREE point with nobody waiting: 0."
    )
    favorite = serializers.BooleanField(help_text="In the authenticated driver's favorites; false when anonymous.")


class ChargingPointDetailSerializer(ChargingPointSerializer):
    amenities = serializers.ListField(child=serializers.CharField())
    price_eur_per_kwh = serializers.FloatField()
    last_updated = UtcDateTimeField(allow_null=True, help_text="When central last reported the point.")
