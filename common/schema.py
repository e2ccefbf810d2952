"""Pieces every API module shares: the UTC datetime field, strict query booleans, the error shapes
documented in the OpenAPI schema, and a JSON renderer that can answer a literal `null`."""

from datetime import datetime

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema_field
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer

from common.datetimes import iso_z


@extend_schema_field({"type": "string", "format": "date-time", "example": "2025-10-25T12:00:00Z"})
class UtcDateTimeField(serializers.DateTimeField):
    """Every datetime the API writes: ISO-8601 in UTC with a `Z` suffix."""

    def to_representation(self, value: datetime | None) -> str | None:
        return iso_z(value) if value else None


@extend_schema_field(OpenApiTypes.BOOL)
class StrictBooleanField(serializers.Field):
    """A query-string boolean that accepts exactly `true` or `false` (any case); anything else is a 400."""

    default_error_messages = {"invalid": "Must be 'true' or 'false'."}

    def to_internal_value(self, data) -> bool:
        if isinstance(data, bool):
            return data
        text = str(data).strip().lower()
        if text == "true":
            return True
        if text == "false":
            return False
        self.fail("invalid")

    def to_representation(self, value) -> bool:
        return bool(value)


class NullableJSONRenderer(JSONRenderer):
    """DRF's JSONRenderer answers `None` with an empty body; this one answers JSON `null`."""

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b"null"
        return super().render(data, accepted_media_type, renderer_context)


# --- Error shapes (see config/exceptions.py: one handler gives every error this form) --------------


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="What went wrong, for people.")


class ValidationErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text='Always "Invalid request payload".')
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Field name → messages. Each field also appears at the top level beside `detail`.",
    )


class ConflictErrorSerializer(ErrorSerializer):
    status = serializers.CharField(required=False, help_text="The session's current status, when relevant.")
    request_id = serializers.CharField(required=False, help_text="The open session's request, for a second request.")
    session_id = serializers.CharField(required=False, help_text="The open session's id, for a second request.")


def error(description: str, serializer=ErrorSerializer) -> OpenApiResponse:
    return OpenApiResponse(response=serializer, description=description)


UNAUTHENTICATED = error("No or invalid credentials (`Authorization: Token <key>` or a session login).")
DRIVER_NOT_FOUND = error('`driver_id` is not the authenticated driver: `{"detail": "Driver not found"}`.')
INVALID_PAYLOAD = error("Malformed body or query parameter.", ValidationErrorSerializer)
THROTTLED = error("Too many write requests (scope `driver_writes`).")

DRIVER_ERRORS = {401: UNAUTHENTICATED, 404: DRIVER_NOT_FOUND}
