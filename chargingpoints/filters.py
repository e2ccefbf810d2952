"""Query parameters of `GET /charging-points` and `GET /charging-points/{cp_id}`, validated strictly:
a bad value is a 400 naming the parameter, never a silently ignored filter."""

from rest_framework import serializers

from chargingpoints.models import ConnectorType
from chargingpoints.selectors import ChargingPointFilters
from common.schema import StrictBooleanField


class PositionQuerySerializer(serializers.Serializer):
    lat = serializers.FloatField(
        required=False, min_value=-90, max_value=90, help_text="Your latitude (with `lng`); fills `distance_km`."
    )
    lng = serializers.FloatField(
        required=False, min_value=-180, max_value=180, help_text="Your longitude (with `lat`)."
    )

    def validate(self, attrs):
        if ("lat" in attrs) != ("lng" in attrs):
            missing = "lng" if "lat" in attrs else "lat"
            raise serializers.ValidationError({missing: ["lat and lng must be given together."]})
        return attrs


class ChargingPointFilterSerializer(PositionQuerySerializer):
    city = serializers.CharField(required=False, help_text="City name, case-insensitive exact match.")
    connector_type = serializers.CharField(
        required=False, help_text=f"One of {', '.join(ConnectorType.values)} (case-insensitive)."
    )
    min_power_kw = serializers.FloatField(required=False, min_value=0, help_text="Minimum power rating in kW.")
    only_available = StrictBooleanField(required=False, help_text="`true`: only FREE points.")
    favorites_only = StrictBooleanField(
        required=False, help_text="`true`: only the authenticated driver's favorites (none when anonymous)."
    )
    radius_km = serializers.FloatField(
        required=False,
        min_value=0,
        help_text="Only points within this distance of `lat`/`lng` (or of the driver's saved home position).",
    )
    ordering = serializers.ChoiceField(
        choices=["cp_id", "distance"], required=False, help_text="`cp_id` (default) or `distance` (nearest first)."
    )

    def validate(self, attrs):
        attrs = super().validate(attrs)
        driver = self.context.get("driver")
        has_home = driver is not None and driver.home_latitude is not None and driver.home_longitude is not None
        if "lat" not in attrs and not has_home:
            if "radius_km" in attrs:
                raise serializers.ValidationError({"radius_km": ["Needs a position: give lat and lng."]})
            if attrs.get("ordering") == "distance":
                raise serializers.ValidationError(
                    {"ordering": ["ordering=distance needs a position: give lat and lng."]}
                )
        return attrs

    def validate_connector_type(self, value: str) -> str:
        by_lower = {choice.lower(): choice for choice in ConnectorType.values}
        if value.strip().lower() not in by_lower:
            raise serializers.ValidationError(f"Must be one of: {', '.join(ConnectorType.values)}.")
        return by_lower[value.strip().lower()]

    def to_filters(self) -> ChargingPointFilters:
        data = self.validated_data
        return ChargingPointFilters(
            city=data.get("city") or None,
            connector_type=data.get("connector_type"),
            min_power_kw=data.get("min_power_kw"),
            only_available=data.get("only_available", False),
            favorites_only=data.get("favorites_only", False),
            latitude=data.get("lat"),
            longitude=data.get("lng"),
            radius_km=data.get("radius_km"),
            order_by_distance=data.get("ordering") == "distance",
        )
