"""Query parameters of `GET /charging-points` and `GET /charging-points/{cp_id}`, validated strictly:
a bad value is a 400 naming the parameter, never a silently ignored filter."""

import math

from rest_framework import serializers

from chargingpoints.models import ConnectorType
from chargingpoints.selectors import ChargingPointFilters
from common.schema import StrictBooleanField

MAX_PAGE_SIZE = 1000
INCLUDE_CHOICES = frozenset({"details"})
MAX_SEARCH_LENGTH = 100


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
        choices=["cp_id", "distance", "power", "price", "name"],
        required=False,
        help_text="`cp_id` (default), `distance` (nearest first), `power` (most powerful first), `price` "
        "(cheapest first) or `name` (A to Z); ties in cp_id order.",
    )
    q = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=MAX_SEARCH_LENGTH,
        help_text="Search: every word must appear in the point's name, address, city or cp_id "
        "(case-insensitive). Empty: no search.",
    )
    bbox = serializers.CharField(
        required=False,
        help_text="A map's view, `min_lng,min_lat,max_lng,max_lat` (degrees): only points inside it, edges "
        "included. `min_lng` greater than `max_lng` is a view across the antimeridian.",
    )
    limit = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_PAGE_SIZE,
        help_text=f"Page size (at most {MAX_PAGE_SIZE}). Without `limit` and `offset` the whole list comes back. "
        "A paged answer says the total in `X-Total-Count` and links the next/previous pages in `Link`; the "
        "body stays a plain list.",
    )
    offset = serializers.IntegerField(
        required=False, min_value=0, help_text="Items to skip before the page (after filtering and ordering)."
    )
    include = serializers.CharField(
        required=False,
        help_text="`details`: each item also carries `amenities`, `price_eur_per_kwh` and `last_updated` (as "
        "in `GET /charging-points/{cp_id}`), so a page draws its cards from one call.",
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

    def validate_bbox(self, value: str) -> tuple[float, float, float, float]:
        parts = value.split(",")
        if len(parts) != 4:
            raise serializers.ValidationError("Must be four numbers: min_lng,min_lat,max_lng,max_lat.")
        try:
            min_lng, min_lat, max_lng, max_lat = (float(part) for part in parts)
        except ValueError:
            raise serializers.ValidationError("Must be four numbers: min_lng,min_lat,max_lng,max_lat.") from None
        if not all(math.isfinite(v) for v in (min_lng, min_lat, max_lng, max_lat)):
            raise serializers.ValidationError("Must be finite numbers.")
        if not (-180 <= min_lng <= 180 and -180 <= max_lng <= 180):
            raise serializers.ValidationError("Longitudes must be between -180 and 180.")
        if not (-90 <= min_lat <= 90 and -90 <= max_lat <= 90):
            raise serializers.ValidationError("Latitudes must be between -90 and 90.")
        if min_lat > max_lat:
            raise serializers.ValidationError("min_lat must not be greater than max_lat.")
        return min_lng, min_lat, max_lng, max_lat

    def validate_include(self, value: str) -> frozenset[str]:
        names = frozenset(part.strip() for part in value.split(",") if part.strip())
        unknown = sorted(names - INCLUDE_CHOICES)
        if unknown or not names:
            raise serializers.ValidationError(f"Must be one of: {', '.join(sorted(INCLUDE_CHOICES))}.")
        return names

    @property
    def include_details(self) -> bool:
        return "details" in self.validated_data.get("include", ())

    @property
    def page(self) -> tuple[int | None, int] | None:
        """(limit, offset) when a page was asked for, else None (the whole list)."""
        data = self.validated_data
        if "limit" not in data and "offset" not in data:
            return None
        return data.get("limit"), data.get("offset", 0)

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
            order_by=data.get("ordering") if data.get("ordering") in ("power", "price", "name") else None,
            search=" ".join(data.get("q", "").split()) or None,
            bbox=data.get("bbox"),
        )
