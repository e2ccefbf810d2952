"""Charging-point endpoints: readable anonymously; `favorite` and the home position need a driver."""

from drf_spectacular.utils import extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from chargingpoints.filters import ChargingPointFilterSerializer, PositionQuerySerializer
from chargingpoints.serializers import (
    ChargingPointDetailSerializer,
    ChargingPointSerializer,
)
from common.schema import INVALID_PAYLOAD, UNAUTHENTICATED, error
from discovery.selectors import charging_point_get, charging_point_list
from drivers.selectors import driver_of_user


class ChargingPointListApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="charging_points_list",
        summary="List charging points",
        description="All charging points, filtered. Anonymous access is allowed (then `favorite` is false and "
        "there is no home position). Filters combine with AND.",
        parameters=[ChargingPointFilterSerializer],
        responses={200: ChargingPointSerializer(many=True), 400: INVALID_PAYLOAD, 401: UNAUTHENTICATED},
        tags=["charging points"],
    )
    def get(self, request):
        driver = driver_of_user(user=request.user)
        query = ChargingPointFilterSerializer(data=request.query_params, context={"driver": driver})
        query.is_valid(raise_exception=True)
        points = charging_point_list(driver=driver, filters=query.to_filters())
        return Response(ChargingPointSerializer(points, many=True).data)


class ChargingPointDetailApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="charging_points_retrieve",
        summary="One charging point",
        description="The list item plus `amenities`, `price_eur_per_kwh` and `last_updated`.",
        parameters=[PositionQuerySerializer],
        responses={
            200: ChargingPointDetailSerializer,
            400: INVALID_PAYLOAD,
            401: UNAUTHENTICATED,
            404: error('`{"detail": "Charging point not found"}`'),
        },
        tags=["charging points"],
    )
    def get(self, request, cp_id: str):
        query = PositionQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        point = charging_point_get(
            cp_id=cp_id,
            driver=driver_of_user(user=request.user),
            latitude=query.validated_data.get("lat"),
            longitude=query.validated_data.get("lng"),
        )
        return Response(ChargingPointDetailSerializer(point).data)
