"""Domain errors shared by the apps, and the one handler that gives every API error the same shape.

Every error body is `{"detail": "..."}`; validation errors add the field errors beside `detail`
(each field at the top level, and all of them again under `errors`).
"""

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from common.errors import DomainError
from config.error_views import body_too_large_detail


def api_exception_handler(exc, context):
    if isinstance(exc, DomainError):
        return Response({"detail": exc.detail, **exc.extra}, status=exc.status_code)
    if isinstance(exc, exceptions.ValidationError):
        errors = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        body = {"detail": "Invalid request payload", **errors, "errors": errors}
        body["detail"] = "Invalid request payload"
        return Response(body, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, (exceptions.ParseError, exceptions.UnsupportedMediaType)):
        return Response(
            {"detail": "Invalid request payload", "errors": {"non_field_errors": [str(exc.detail)]}},
            status=status.HTTP_400_BAD_REQUEST,
        )
    if isinstance(exc, RequestDataTooBig):
        return Response({"detail": body_too_large_detail()}, status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)
    if isinstance(exc, exceptions.NotAuthenticated):
        # Single-driver mode saw the request but refused to act for the driver: say why.
        refusal = getattr(context.get("request"), "single_driver_refusal", None)
        if refusal:
            exc = exceptions.NotAuthenticated(refusal)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(str(exc) or "Not found")
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    return exception_handler(exc, context)
