"""Input and output shapes of the session endpoints (the specification's field names, exactly).

Energy and cost are stored as decimals with 4 places; they are written as JSON numbers, null while unknown.
"""

from rest_framework import serializers

from common.schema import UtcDateTimeField
from sessions_app.receipts.selectors import receipt_url
from sessions_app.status import SessionStatus


class SessionRequestInputSerializer(serializers.Serializer):
    cp_id = serializers.CharField(max_length=64)
    vehicle_id = serializers.CharField(max_length=64)
    preferred_start = serializers.DateTimeField(required=False, allow_null=True)


class SessionSerializer(serializers.Serializer):
    """A session summary: the request (202) and current-session bodies."""

    session_id = serializers.CharField(help_text="`pending-<request_id>` until central assigns its own id.")
    request_id = serializers.CharField()
    cp_id = serializers.CharField(source="charging_point.cp_id")
    status = serializers.ChoiceField(choices=SessionStatus.choices)
    queue_position = serializers.IntegerField(allow_null=True, help_text="Place in central's queue, when known.")
    started_at = UtcDateTimeField(allow_null=True)
    completed_at = UtcDateTimeField(allow_null=True)
    energy_kwh = serializers.FloatField(allow_null=True, help_text="Energy so far; final after central's ticket.")
    cost_eur = serializers.FloatField(allow_null=True, help_text="Cost so far (4 decimals); final after the ticket.")


class SessionStopSerializer(SessionSerializer):
    """The body of the stop endpoint: the summary without `queue_position`."""

    queue_position = None


class SessionHistorySerializer(SessionStopSerializer):
    receipt_url = serializers.SerializerMethodField(
        help_text="`/receipts/<session_id>.pdf`; `null` for a session that delivered no energy."
    )

    def get_receipt_url(self, session) -> str | None:
        return receipt_url(session)  # None when nothing was delivered (denied, cancelled before charging, ...)


class SessionHistoryQuerySerializer(serializers.Serializer):
    limit = serializers.IntegerField(
        required=False, min_value=1, max_value=1000, help_text="At most this many sessions (default: all)."
    )
    # Bounded: a huge offset would overflow the database's integer ("bigint out of range") instead of
    # answering an empty page.
    offset = serializers.IntegerField(
        required=False, min_value=0, max_value=1_000_000_000, default=0, help_text="Skip this many first."
    )
