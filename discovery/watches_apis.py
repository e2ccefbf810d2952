""" "Tell me when it's free": `/drivers/{driver_id}/watches`.

A watch waits for a busy (OCCUPIED or OFFLINE) point to turn FREE. When the poll of central sees it FREE,
the driver gets one ALERT notification and the watch ends; unanswered, it ends by itself after
`WATCH_EXPIRY_SECONDS` (default 2 h). Ownership is the favorites': another driver's watches are a 404.
"""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from common.schema import DRIVER_ERRORS, INVALID_PAYLOAD, THROTTLED, error
from drivers.permissions import DriverScopedMixin
from drivers.selectors import watch_list_active
from drivers.serializers import WatchInputSerializer, WatchSerializer
from drivers.services import watch_start, watch_stop

TAGS = ["watches"]
CP_OR_DRIVER_NOT_FOUND = error('Unknown driver (`"Driver not found"`) or point (`"Charging point not found"`).')
LIFECYCLE = (
    "When the poll of central sees the point FREE, the driver gets one `ALERT` notification "
    '("CP-003 (…) is free now…") and the watch ends. A watch not answered within `WATCH_EXPIRY_SECONDS` '
    "(default 7200 s) ends by itself: it is no longer listed and never notifies."
)


class WatchListApi(DriverScopedMixin, APIView):
    @extend_schema(
        operation_id="watches_list",
        summary="Points the driver is watching",
        description="The driver's active watches (not yet fired, removed or expired), oldest first. " + LIFECYCLE,
        responses={200: WatchSerializer(many=True), **DRIVER_ERRORS},
        tags=TAGS,
    )
    def get(self, request, driver_id: str):
        return Response(WatchSerializer(watch_list_active(driver=self.driver), many=True).data)

    @extend_schema(
        operation_id="watches_add",
        summary="Tell me when a point is free",
        description="Watch an OCCUPIED or OFFLINE point. **201** with the new watch; asking again while the "
        "watch is active answers **200** with the same watch, unchanged (its expiry is not extended). "
        "A point that is FREE now is a **400** naming `cp_id` (nothing to wait for: request a charge). " + LIFECYCLE,
        request=WatchInputSerializer,
        responses={
            201: OpenApiResponse(response=WatchSerializer, description="Watching."),
            200: OpenApiResponse(response=WatchSerializer, description="Already watching: the same watch."),
            400: error(
                "Malformed body (`cp_id` missing or not a string), or the point is FREE now "
                '(`{"detail": "Charging point is already free", "cp_id": [...], "errors": {"cp_id": [...]}}`).',
                INVALID_PAYLOAD.response,
            ),
            **DRIVER_ERRORS,
            404: CP_OR_DRIVER_NOT_FOUND,
            429: THROTTLED,
        },
        tags=TAGS,
    )
    def post(self, request, driver_id: str):
        body = WatchInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        watch, created = watch_start(driver=self.driver, cp_id=body.validated_data["cp_id"])
        return Response(WatchSerializer(watch).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class WatchDetailApi(DriverScopedMixin, APIView):
    @extend_schema(
        operation_id="watches_remove",
        summary="Stop watching a point",
        description="Removing a watch that does not exist (or already ended) is fine (204); an unknown point is a 404.",
        responses={
            204: OpenApiResponse(description="Not watching any more."),
            **DRIVER_ERRORS,
            404: CP_OR_DRIVER_NOT_FOUND,
            429: THROTTLED,
        },
        tags=TAGS,
    )
    def delete(self, request, driver_id: str, cp_id: str):
        watch_stop(driver=self.driver, cp_id=cp_id)
        return Response(status=status.HTTP_204_NO_CONTENT)
