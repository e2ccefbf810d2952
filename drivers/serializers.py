"""Input shapes of the favorites endpoints (the list reuses the charging-point item shape), and the
watches' input and output shapes."""

from rest_framework import serializers

from chargingpoints.models import PointStatus
from common.schema import UtcDateTimeField


class FavoriteInputSerializer(serializers.Serializer):
    cp_id = serializers.CharField(max_length=64)


class WatchInputSerializer(serializers.Serializer):
    cp_id = serializers.CharField(max_length=64, help_text="The point to watch; it must not be FREE now.")


class WatchSerializer(serializers.Serializer):
    """One active watch: the point it waits for and until when."""

    cp_id = serializers.CharField(source="charging_point.cp_id", help_text="The watched point.")
    name = serializers.CharField(source="charging_point.name", help_text="The point's name.")
    point_status = serializers.ChoiceField(
        source="charging_point.status",
        choices=PointStatus.choices,
        help_text="The point's status now (OCCUPIED or OFFLINE while the watch waits).",
    )
    created_at = UtcDateTimeField(help_text="When the driver started watching.")
    expires_at = UtcDateTimeField(
        help_text="When the watch ends by itself if the point has not turned FREE (`WATCH_EXPIRY_SECONDS`)."
    )
