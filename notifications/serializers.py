"""Output shapes of notifications and alerts (the specification's field names, exactly)."""

from rest_framework import serializers

from common.schema import StrictBooleanField, UtcDateTimeField
from notifications.models import BroadcastAlert, Notification


class NotificationSerializer(serializers.Serializer):
    notification_id = serializers.CharField()
    created_at = UtcDateTimeField()
    message = serializers.CharField()
    type = serializers.ChoiceField(choices=Notification.Type.choices)
    read = serializers.BooleanField()


class NotificationQuerySerializer(serializers.Serializer):
    unread = StrictBooleanField(required=False, help_text="`true`: only unread notifications.")


class MarkedReadSerializer(serializers.Serializer):
    marked_read = serializers.IntegerField(help_text="How many notifications changed from unread to read.")


class AlertSerializer(serializers.Serializer):
    alert_id = serializers.CharField()
    title = serializers.CharField()
    message = serializers.CharField()
    severity = serializers.ChoiceField(choices=BroadcastAlert.Severity.choices)
    effective_at = UtcDateTimeField()
    expires_at = UtcDateTimeField(allow_null=True)
