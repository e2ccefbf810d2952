"""Domain errors shared by the apps: one hierarchy, each with the HTTP status the API answers.

`config.exceptions.api_exception_handler` turns them into `{"detail": ...}` bodies.
"""

from rest_framework import status


class DomainError(Exception):
    """Base of the errors services raise; `status_code` is what the API answers."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_detail = "Request could not be processed"

    def __init__(self, detail: str | None = None, **extra):
        self.detail = detail or self.default_detail
        self.extra = extra
        super().__init__(self.detail)


class NotFoundError(DomainError):
    status_code = status.HTTP_404_NOT_FOUND
    default_detail = "Not found"


class ChargingPointNotFound(NotFoundError):
    default_detail = "Charging point not found"


class DriverNotFound(NotFoundError):
    default_detail = "Driver not found"


class ConflictError(DomainError):
    """The request is valid but the current state forbids it (409)."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = "Conflict with the current state"


class IllegalTransition(ConflictError):
    default_detail = "Illegal session status transition"


class CentralUnavailable(DomainError):
    """Central could not be reached or answered nonsense (502)."""

    status_code = status.HTTP_502_BAD_GATEWAY
    default_detail = "Central controller is unreachable; try again shortly"


class CentralRefused(ConflictError):
    """Central answered the stop call with 400/403/404."""

    default_detail = "Central refused to stop the session"


class ChargingPointAlreadyFree(DomainError):
    """A watch ("tell me when it's free") asked for a point that is FREE now: 400 naming `cp_id`."""

    default_detail = "Charging point is already free"

    def __init__(self, cp_id: str):
        field = [f"{cp_id} is free now: request a charge instead of watching it."]
        super().__init__(cp_id=field, errors={"cp_id": field})
