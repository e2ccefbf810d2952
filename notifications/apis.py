"""Notifications and alerts of `/drivers/{driver_id}/...`."""

from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from common.schema import DRIVER_ERRORS, INVALID_PAYLOAD, THROTTLED, error
from drivers.permissions import DriverScopedMixin
from notifications.selectors import alert_list_for_driver, notification_list
from notifications.serializers import (
    AlertSerializer,
    MarkedReadSerializer,
    NotificationQuerySerializer,
    NotificationSerializer,
)
from notifications.services import notification_mark_all_read, notification_mark_read

TAGS = ["notifications"]


class NotificationListApi(DriverScopedMixin, APIView):
    @extend_schema(
        operation_id="notifications_list",
        summary="The driver's notifications",
        description="Newest first; `?unread=true` keeps only unread ones.",
        parameters=[NotificationQuerySerializer],
        responses={200: NotificationSerializer(many=True), 400: INVALID_PAYLOAD, **DRIVER_ERRORS},
        tags=TAGS,
    )
    def get(self, request, driver_id: str):
        query = NotificationQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        notes = notification_list(driver=self.driver, unread_only=query.validated_data.get("unread", False))
        return Response(NotificationSerializer(notes, many=True).data)


class NotificationReadApi(DriverScopedMixin, APIView):
    @extend_schema(
        operation_id="notifications_mark_read",
        summary="Mark one notification read",
        description="Answers the notification, now read. Marking it twice is harmless.",
        request=None,
        responses={
            200: NotificationSerializer,
            **DRIVER_ERRORS,
            404: error('Unknown driver, or no such notification of this driver (`"Notification not found"`).'),
            429: THROTTLED,
        },
        tags=TAGS,
    )
    def post(self, request, driver_id: str, notification_id: str):
        note = notification_mark_read(driver=self.driver, notification_id=notification_id)
        return Response(NotificationSerializer(note).data)


class NotificationReadAllApi(DriverScopedMixin, APIView):
    @extend_schema(
        operation_id="notifications_mark_all_read",
        summary="Mark every notification read",
        description="Answers 200 with how many notifications changed (0 when all were read already).",
        request=None,
        responses={200: MarkedReadSerializer, **DRIVER_ERRORS, 429: THROTTLED},
        tags=TAGS,
    )
    def post(self, request, driver_id: str):
        return Response({"marked_read": notification_mark_all_read(driver=self.driver)})


class AlertListApi(DriverScopedMixin, APIView):
    @extend_schema(
        operation_id="alerts_list",
        summary="Broadcast alerts in force",
        description="Alerts with effective_at ≤ now < expires_at (or no expiry), newest first, that concern "
        "everyone, one of the driver's favorite points or their cities, or the point or city of the open session.",
        responses={200: AlertSerializer(many=True), **DRIVER_ERRORS},
        tags=TAGS,
    )
    def get(self, request, driver_id: str):
        return Response(AlertSerializer(alert_list_for_driver(driver=self.driver), many=True).data)
