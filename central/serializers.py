"""Output shape of `GET /sync-status`."""

from rest_framework import serializers

from common.schema import UtcDateTimeField


class CentralSyncStatusSerializer(serializers.Serializer):
    central_reachable = serializers.BooleanField(help_text="The last poll of central succeeded.")
    last_success_at = UtcDateTimeField(allow_null=True)
    last_attempt_at = UtcDateTimeField(allow_null=True)
    unreachable_since = UtcDateTimeField(allow_null=True)
    stale = serializers.BooleanField(help_text="No successful poll within max(10 s, 5 × poll interval).")
    last_error = serializers.CharField(allow_null=True)
