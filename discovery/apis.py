"""Charging-point endpoints: readable anonymously; `favorite` and the home position need a driver."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from chargingpoints.filters import ChargingPointFilterSerializer, PositionQuerySerializer
from chargingpoints.serializers import (
    ChargingPointDetailSerializer,
    ChargingPointSerializer,
)
from common.schema import INVALID_PAYLOAD, UNAUTHENTICATED, error
from discovery.selectors import charging_point_get, charging_point_page
from drivers.selectors import driver_of_user

PAGING_HEADERS = [
    OpenApiParameter(
        "X-Total-Count",
        OpenApiTypes.INT,
        location=OpenApiParameter.HEADER,
        response=[200],
        description="With `limit` or `offset`: how many points match, all pages together.",
    ),
    OpenApiParameter(
        "Link",
        OpenApiTypes.STR,
        location=OpenApiParameter.HEADER,
        response=[200],
        description="With `limit`: RFC 8288 links to the `first`, `prev`, `next` and `last` pages, e.g. "
        '`<http://host/charging-points?limit=50&offset=50>; rel="next"`.',
    ),
]


def _paging_headers(request, *, limit: int | None, offset: int, total: int) -> dict[str, str]:
    headers = {"X-Total-Count": str(total)}
    if limit is None:
        return headers

    def url(page_offset: int) -> str:
        query = request.query_params.copy()
        query["limit"] = str(limit)
        query["offset"] = str(page_offset)
        return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")

    links = [(0, "first")]
    if offset > 0:
        links.append((max(0, offset - limit), "prev"))
    if offset + limit < total:
        links.append((offset + limit, "next"))
    links.append((max(0, (total - 1) // limit * limit), "last"))
    headers["Link"] = ", ".join(f'<{url(page_offset)}>; rel="{rel}"' for page_offset, rel in links)
    return headers


class ChargingPointListApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="charging_points_list",
        summary="List charging points",
        description="All charging points, filtered. Anonymous access is allowed (then `favorite` is false and "
        "there is no home position). Filters combine with AND. Without `limit`/`offset` the whole list comes "
        "back; with them, one page (still a plain list; the total and the links are in the headers). "
        "`include=details` adds `amenities`, `price_eur_per_kwh` and `last_updated` to each item.",
        parameters=[ChargingPointFilterSerializer, *PAGING_HEADERS],
        responses={200: ChargingPointSerializer(many=True), 400: INVALID_PAYLOAD, 401: UNAUTHENTICATED},
        tags=["charging points"],
    )
    def get(self, request):
        driver = driver_of_user(user=request.user)
        query = ChargingPointFilterSerializer(data=request.query_params, context={"driver": driver})
        query.is_valid(raise_exception=True)
        limit, offset = query.page or (None, 0)
        page = charging_point_page(driver=driver, filters=query.to_filters(), limit=limit, offset=offset)
        serializer = ChargingPointDetailSerializer if query.include_details else ChargingPointSerializer
        headers = None
        if query.page is not None:
            headers = _paging_headers(request, limit=limit, offset=offset, total=page.total)
        return Response(serializer(page.points, many=True).data, headers=headers)


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
