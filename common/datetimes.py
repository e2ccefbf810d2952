"""Message shapes of central's wire protocol (shared/docs/central-protocol.md)."""

from datetime import UTC, datetime

from django.utils import timezone


def iso_z(value: datetime | None) -> str | None:
    """ISO-8601 UTC with a `Z` suffix, as central writes it."""
    if value is None:
        return None
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def parse_datetime_utc(value: str | None) -> datetime | None:
    """Parse central's datetimes, `Z` or `+00:00`; naive values are taken as UTC."""
    if not value:
        return None
    text = value.strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    parsed = datetime.fromisoformat(text)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed


def driver_request_message(session) -> dict:
    """DriverRequest {request_id, driver_id, cp_id, ts}."""
    return {
        "request_id": session.request_id,
        "driver_id": session.driver.driver_id,
        "cp_id": session.charging_point.cp_id,
        "ts": iso_z(timezone.now()),
    }
