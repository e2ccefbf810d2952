"""`GET /sync-status`: how the poll of central is going."""

from drf_spectacular.utils import extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from central.selectors import central_sync_status
from central.serializers import CentralSyncStatusSerializer


class SyncStatusApi(APIView):
    permission_classes = [AllowAny]
    authentication_classes = []

    @extend_schema(
        operation_id="sync_status",
        summary="State of the central poll",
        description="Whether the live charging-point data is fresh: `stale` once the last successful poll of "
        "central is older than max(10 s, 5 × CENTRAL_POLL_INTERVAL).",
        responses={200: CentralSyncStatusSerializer},
        tags=["health"],
    )
    def get(self, request):
        return Response(CentralSyncStatusSerializer(central_sync_status()).data)
