"""Reads on charging points that need nothing but the points: the validated filters and distances."""

import math
from dataclasses import dataclass

EARTH_RADIUS_KM = 6371.0088


@dataclass(frozen=True)
class ChargingPointFilters:
    """Validated filters of `GET /charging-points` (see chargingpoints.filters)."""

    city: str | None = None
    connector_type: str | None = None
    min_power_kw: float | None = None
    only_available: bool = False
    favorites_only: bool = False
    latitude: float | None = None
    longitude: float | None = None
    radius_km: float | None = None
    order_by_distance: bool = False


def haversine_km(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle distance in kilometres on the mean Earth radius (IUGG, 6371.0088 km)."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    d_phi = math.radians(lat2 - lat1)
    d_lambda = math.radians(lng2 - lng1)
    a = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))
