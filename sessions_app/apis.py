"""Session endpoints of `/drivers/{driver_id}/...`: thin views over the lifecycle services."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.renderers import BrowsableAPIRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from common.schema import (
    DRIVER_ERRORS,
    INVALID_PAYLOAD,
    THROTTLED,
    ConflictErrorSerializer,
    NullableJSONRenderer,
    error,
)
from drivers.permissions import DriverScopedMixin
from sessions_app.selectors import session_current, session_history
from sessions_app.serializers import (
    SessionHistoryQuerySerializer,
    SessionHistorySerializer,
    SessionRequestInputSerializer,
    SessionSerializer,
    SessionStopSerializer,
)
from sessions_app.services import session_cancel, session_request, session_stop

TAGS = ["sessions"]
SESSION_NOT_FOUND = error('No such session of this driver: `{"detail": "Session not found"}`.')


class SessionRequestApi(DriverScopedMixin, APIView):
    @extend_schema(
        operation_id="session_request",
        summary="Request a charging session",
        description="Creates a PENDING session and sends the request to central. The answer is 202: central "
        "approves or denies later (watch `sessions/current` and the notifications).",
        request=SessionRequestInputSerializer,
        responses={
            202: SessionSerializer,
            400: INVALID_PAYLOAD,
            **DRIVER_ERRORS,
            404: error('Unknown driver (`"Driver not found"`) or point (`"Charging point not found"`).'),
            409: OpenApiResponse(
                ConflictErrorSerializer, description="The driver already has an open session (named in `detail`)."
            ),
            429: THROTTLED,
        },
        tags=TAGS,
    )
    def post(self, request, driver_id: str):
        body = SessionRequestInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        session = session_request(driver=self.driver, **body.validated_data)
        return Response(SessionSerializer(session).data, status=status.HTTP_202_ACCEPTED)


class SessionCancelApi(DriverScopedMixin, APIView):
    @extend_schema(
        operation_id="session_cancel",
        summary="Cancel a request before charging starts",
        description="PENDING or APPROVED → CANCELLED. Cancelling a cancelled request again is harmless (204).",
        responses={
            204: OpenApiResponse(description="Cancelled."),
            **DRIVER_ERRORS,
            404: error('Unknown driver or request (`"Session not found"`).'),
            409: OpenApiResponse(
                ConflictErrorSerializer,
                description="Charging has started (stop it instead) or the request is already finished.",
            ),
            429: THROTTLED,
        },
        tags=TAGS,
    )
    def delete(self, request, driver_id: str, request_id: str):
        session_cancel(driver=self.driver, request_id=request_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class SessionCurrentApi(DriverScopedMixin, APIView):
    renderer_classes = [NullableJSONRenderer, BrowsableAPIRenderer]

    @extend_schema(
        operation_id="session_current",
        summary="The open session",
        description="The PENDING, APPROVED or CHARGING session, or JSON `null` when there is none.",
        responses={
            # OpenAPI 3.0 spells "this object or null" as a nullable allOf around the reference.
            200: OpenApiResponse(
                {"allOf": [{"$ref": "#/components/schemas/Session"}], "nullable": True},
                description="The open session, or `null`.",
            ),
            **DRIVER_ERRORS,
        },
        tags=TAGS,
    )
    def get(self, request, driver_id: str):
        session = session_current(driver=self.driver)
        return Response(SessionSerializer(session).data if session else None)


class SessionStopApi(DriverScopedMixin, APIView):
    @extend_schema(
        operation_id="session_stop",
        summary="Stop the charging session",
        description="Tells central to stop, then answers the session as STOPPED with energy and cost as known now "
        "(central's ticket corrects them later). Stopping a STOPPED session answers it again.",
        request=None,
        responses={
            200: SessionStopSerializer,
            **DRIVER_ERRORS,
            404: SESSION_NOT_FOUND,
            409: OpenApiResponse(
                ConflictErrorSerializer,
                description="The session is not APPROVED or CHARGING, or central refused the stop; it is unchanged.",
            ),
            429: THROTTLED,
            502: error("Central is unreachable or failed; the session is unchanged, try again."),
        },
        tags=TAGS,
    )
    def post(self, request, driver_id: str, session_id: str):
        session = session_stop(driver=self.driver, session_id=session_id)
        return Response(SessionStopSerializer(session).data)


class SessionHistoryApi(DriverScopedMixin, APIView):
    @extend_schema(
        operation_id="session_history",
        summary="Finished sessions",
        description="Finished sessions (COMPLETED, STOPPED, DENIED, FAILED, CANCELLED), newest first, as a plain "
        "list; `limit`/`offset` page through it.",
        parameters=[SessionHistoryQuerySerializer],
        responses={200: SessionHistorySerializer(many=True), 400: INVALID_PAYLOAD, **DRIVER_ERRORS},
        tags=TAGS,
    )
    def get(self, request, driver_id: str):
        query = SessionHistoryQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        sessions = session_history(driver=self.driver, **query.validated_data)
        return Response(SessionHistorySerializer(sessions, many=True).data)
