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
    # Opt-in orders besides cp_id and distance: "power" (highest first), "price" (cheapest first), "name".
    order_by: str | None = None
    # Words the point's name, address, city or cp_id must contain (case-insensitive), or None.
    search: str | None = None
    # A map's view: (min_lng, min_lat, max_lng, max_lat); min_lng > max_lng crosses the antimeridian.
    bbox: tuple[float, float, float, float] | None = None


@dataclass(frozen=True)
class LatLngBox:
    """Latitude and longitude ranges; `min_lng > max_lng` means the range crosses the antimeridian."""

    min_lat: float
    max_lat: float
    min_lng: float
    max_lng: float


def haversine_km(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle distance in kilometres on the mean Earth radius (IUGG, 6371.0088 km)."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    d_phi = math.radians(lat2 - lat1)
    d_lambda = math.radians(lng2 - lng1)
    a = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def radius_box(lat: float, lng: float, radius_km: float) -> LatLngBox:
    """The smallest latitude/longitude box holding every point within `radius_km` of (lat, lng) on the
    sphere of `haversine_km`: the index-friendly prefilter of a radius search (J. P. Matuschek, "Finding
    points within a distance of a latitude/longitude using bounding coordinates").

    Near a pole, or for a radius past a quarter of the Earth, the box spans all longitudes.
    """
    delta = radius_km / EARTH_RADIUS_KM  # angular radius, radians
    phi = math.radians(lat)
    min_phi, max_phi = phi - delta, phi + delta
    if min_phi <= -math.pi / 2 or max_phi >= math.pi / 2:
        return LatLngBox(max(-90.0, math.degrees(min_phi)), min(90.0, math.degrees(max_phi)), -180.0, 180.0)
    ratio = math.sin(delta) / math.cos(phi)
    if ratio >= 1:
        return LatLngBox(math.degrees(min_phi), math.degrees(max_phi), -180.0, 180.0)
    d_lng = math.degrees(math.asin(ratio))
    min_lng, max_lng = lng - d_lng, lng + d_lng
    if min_lng < -180:
        min_lng += 360
    if max_lng > 180:
        max_lng -= 360
    return LatLngBox(math.degrees(min_phi), math.degrees(max_phi), min_lng, max_lng)
