"""`GET /drivers/{driver_id}/queue`: the driver's place on a point's waiting list and their own wait.

An extension beside the specification (which shows `queue_position` on the session): the page asks it while
the driver waits, so it can say "#2 in the queue · about 35 min".
"""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.renderers import BrowsableAPIRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from common.schema import DRIVER_ERRORS, NullableJSONRenderer
from discovery.selectors import queue_place_of
from drivers.permissions import DriverScopedMixin


class QueuePlaceSerializer(serializers.Serializer):
    cp_id = serializers.CharField()
    request_id = serializers.CharField()
    queue_position = serializers.IntegerField(help_text="1 = next.")
    queue_length = serializers.IntegerField(help_text="Drivers waiting at the point, this one included.")
    estimated_wait_minutes = serializers.IntegerField(
        help_text="The rest of the session charging now (when the point is OCCUPIED) plus one typical session "
        "for each driver ahead; typical = the median of the point's recent sessions (see the README)."
    )


# OpenAPI 3.0 has no "this object or null" for a component that nothing else references: spelled out here.
QUEUE_PLACE_OR_NULL = {
    "type": "object",
    "nullable": True,
    "required": ["cp_id", "request_id", "queue_position", "queue_length", "estimated_wait_minutes"],
    "properties": {
        "cp_id": {"type": "string"},
        "request_id": {"type": "string"},
        "queue_position": {"type": "integer", "description": "1 = next."},
        "queue_length": {"type": "integer", "description": "Drivers waiting at the point, this one included."},
        "estimated_wait_minutes": {
            "type": "integer",
            "description": "The rest of the session charging now (when the point is OCCUPIED) plus one typical "
            "session for each driver ahead; typical = the median of the point's recent sessions (see the README).",
        },
    },
}


class QueuePlaceApi(DriverScopedMixin, APIView):
    renderer_classes = [NullableJSONRenderer, BrowsableAPIRenderer]

    @extend_schema(
        operation_id="queue_place",
        summary="The driver's place in a queue",
        description="Where the driver's queued request stands and how long it should still wait, or JSON `null` "
        "when the driver waits nowhere. Leaving the queue is `DELETE /drivers/{driver_id}/requests/{request_id}`.",
        responses={
            200: OpenApiResponse(QUEUE_PLACE_OR_NULL, description="The place, or `null`."),
            **DRIVER_ERRORS,
        },
        tags=["sessions"],
    )
    def get(self, request, driver_id: str):
        place = queue_place_of(driver=self.driver)
        return Response(QueuePlaceSerializer(place).data if place else None)
