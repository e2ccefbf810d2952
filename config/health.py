"""Liveness (`/health`) and readiness (`/health/ready`) of the dashboard."""

import logging

from confluent_kafka.admin import AdminClient
from django.conf import settings
from django.db import connection
from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from central.gateway.kafka_config import admin_config
from central.selectors import central_stale_after, central_sync_status

logger = logging.getLogger(__name__)

KAFKA_CHECK_TIMEOUT_SECONDS = 1.0
OK = "ok"


def check_database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any driver error means "not ready"
        return f"unavailable: {exc.__class__.__name__}: {exc}".strip()
    return OK


def check_kafka() -> str:
    try:
        admin = AdminClient({**admin_config(), "log_level": 0})
        admin.list_topics(timeout=KAFKA_CHECK_TIMEOUT_SECONDS)
    except Exception as exc:  # KafkaException on timeout, ValueError on a bad address
        return f"unavailable at {settings.KAFKA_BOOTSTRAP_SERVERS}: {exc}"
    return OK


def check_central_poll() -> str:
    sync = central_sync_status()
    if sync.last_success_at is None:
        return "no successful poll of central yet"
    if sync.stale:
        age = (timezone.now() - sync.last_success_at).total_seconds()
        limit = central_stale_after().total_seconds()
        return f"last successful poll of central {age:.0f}s ago (limit {limit:.0f}s)"
    return OK


HealthSerializer = inline_serializer("Health", {"status": serializers.CharField(), "service": serializers.CharField()})
ReadinessSerializer = inline_serializer(
    "Readiness",
    {
        "status": serializers.CharField(help_text='"ready" or "unavailable".'),
        "checks": serializers.DictField(child=serializers.CharField(), help_text='Part → "ok" or the problem.'),
        "detail": serializers.CharField(required=False, help_text="Names the failing parts (503 only)."),
    },
)


class HealthApi(APIView):
    permission_classes = [AllowAny]
    authentication_classes = []

    @extend_schema(operation_id="health", summary="Liveness", responses={200: HealthSerializer}, tags=["health"])
    def get(self, request):
        return Response({"status": "healthy", "service": "driver-dashboard"})


class ReadinessApi(APIView):
    permission_classes = [AllowAny]
    authentication_classes = []

    @extend_schema(
        operation_id="health_ready",
        summary="Readiness",
        description="Checks the database, the Kafka broker (metadata request, 1 s timeout) and that the last "
        "successful poll of central is recent. 503 names the failing parts in `detail`.",
        responses={
            200: ReadinessSerializer,
            503: OpenApiResponse(ReadinessSerializer, description="At least one part is not ready."),
        },
        tags=["health"],
    )
    def get(self, request):
        checks = {"database": check_database(), "kafka": check_kafka(), "central_poll": check_central_poll()}
        failing = [name for name, result in checks.items() if result != OK]
        if not failing:
            return Response({"status": "ready", "checks": checks})
        logger.warning("not ready: %s", "; ".join(f"{name}: {checks[name]}" for name in failing))
        return Response(
            {"status": "unavailable", "detail": f"Not ready: {', '.join(failing)}", "checks": checks},
            status=status.HTTP_503_SERVICE_UNAVAILABLE,
        )


health = HealthApi.as_view()
health_ready = ReadinessApi.as_view()
