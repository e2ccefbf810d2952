"""The URL converter of the API's identifiers (cp_id, driver_id, request_id, session_id, notification_id).

Like Django's `str`, but without control characters: PostgreSQL refuses NUL in text, so an id such as
`CP%00` must not reach a query (it answers 404 instead of a 500). Importing this module registers it.
"""

from django.urls import register_converter


class IdentifierConverter:
    regex = r"[^/\x00-\x1f\x7f]+"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


ID = "id"
register_converter(IdentifierConverter, ID)
