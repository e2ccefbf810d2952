"""Favorites of `/drivers/{driver_id}/favorites`."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from chargingpoints.selectors import ChargingPointFilters
from chargingpoints.serializers import ChargingPointSerializer
from common.schema import DRIVER_ERRORS, INVALID_PAYLOAD, THROTTLED, error
from discovery.selectors import charging_point_list
from drivers.permissions import DriverScopedMixin
from drivers.serializers import FavoriteInputSerializer
from drivers.services import favorite_add, favorite_remove

TAGS = ["favorites"]
CP_OR_DRIVER_NOT_FOUND = error('Unknown driver (`"Driver not found"`) or point (`"Charging point not found"`).')


class FavoriteListApi(DriverScopedMixin, APIView):
    @extend_schema(
        operation_id="favorites_list",
        summary="Favorite charging points",
        description="The driver's favorites, as `GET /charging-points` items (`favorite` is true).",
        responses={200: ChargingPointSerializer(many=True), **DRIVER_ERRORS},
        tags=TAGS,
    )
    def get(self, request, driver_id: str):
        points = charging_point_list(driver=self.driver, filters=ChargingPointFilters(favorites_only=True))
        return Response(ChargingPointSerializer(points, many=True).data)

    @extend_schema(
        operation_id="favorites_add",
        summary="Add a favorite",
        description="Adding a favorite twice is fine (204 both times).",
        request=FavoriteInputSerializer,
        responses={
            204: OpenApiResponse(description="Added."),
            400: INVALID_PAYLOAD,
            **DRIVER_ERRORS,
            404: CP_OR_DRIVER_NOT_FOUND,
            429: THROTTLED,
        },
        tags=TAGS,
    )
    def post(self, request, driver_id: str):
        body = FavoriteInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        favorite_add(driver=self.driver, cp_id=body.validated_data["cp_id"])
        return Response(status=status.HTTP_204_NO_CONTENT)


class FavoriteDetailApi(DriverScopedMixin, APIView):
    @extend_schema(
        operation_id="favorites_remove",
        summary="Remove a favorite",
        description="Removing a point that is not a favorite is fine (204); an unknown point is a 404.",
        responses={
            204: OpenApiResponse(description="Removed."),
            **DRIVER_ERRORS,
            404: CP_OR_DRIVER_NOT_FOUND,
            429: THROTTLED,
        },
        tags=TAGS,
    )
    def delete(self, request, driver_id: str, cp_id: str):
        favorite_remove(driver=self.driver, cp_id=cp_id)
        return Response(status=status.HTTP_204_NO_CONTENT)
