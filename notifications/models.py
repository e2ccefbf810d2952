import secrets

from django.db import models
from django.utils import timezone


def new_notification_id() -> str:
    return f"note-{secrets.token_hex(4)}"


def new_alert_id() -> str:
    return f"alert-{secrets.token_hex(4)}"


class Notification(models.Model):
    class Type(models.TextChoices):
        SESSION = "SESSION", "Session"
        QUEUE = "QUEUE", "Queue"
        ALERT = "ALERT", "Alert"

    notification_id = models.CharField(max_length=32, unique=True, default=new_notification_id)
    driver = models.ForeignKey("drivers.Driver", on_delete=models.CASCADE, related_name="notifications")
    type = models.CharField(max_length=16, choices=Type.choices)
    message = models.CharField(max_length=500)
    read = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    session = models.ForeignKey(
        "sessions_app.ChargingSession",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="notifications",
    )
    # Makes "once per event" notifications idempotent (e.g. one per status change, one per offline spell).
    dedupe_key = models.CharField(max_length=200, null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["driver", "dedupe_key"], name="notification_dedupe_per_driver"),
        ]
        indexes = [models.Index(fields=["driver", "read", "created_at"], name="notification_driver_read_idx")]

    def __str__(self):
        return f"{self.notification_id} {self.type}: {self.message[:40]}"


class BroadcastAlert(models.Model):
    class Severity(models.TextChoices):
        INFO = "INFO", "Info"
        WARN = "WARN", "Warning"
        CRITICAL = "CRITICAL", "Critical"

    class Source(models.TextChoices):
        OPERATOR = "OPERATOR", "Operator"
        CENTRAL = "CENTRAL", "Central event"

    alert_id = models.CharField(max_length=32, unique=True, default=new_alert_id)
    title = models.CharField(max_length=200)
    message = models.TextField()
    severity = models.CharField(max_length=16, choices=Severity.choices, default=Severity.INFO)
    effective_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(null=True, blank=True)
    # The scope. Empty (no points, no cities) = every driver. Otherwise the alert reaches a driver who has one
    # of these points as a favorite or open session, or whose home city, a favorite's city or the open
    # session's city is one of these cities (notifications.selectors.alert_scope_reaches, the one rule).
    charging_points = models.ManyToManyField(
        "chargingpoints.ChargingPoint",
        blank=True,
        related_name="alerts",
        help_text="Reaches drivers with one of these points as a favorite or as their open session's point.",
    )
    cities = models.JSONField(
        default=list,
        blank=True,
        help_text="A list of city names. Reaches drivers whose home city, a favorite point's city or their open "
        "session's point's city is one of them (case-insensitively). No points and no cities: every driver.",
    )
    source = models.CharField(max_length=16, choices=Source.choices, default=Source.OPERATOR)
    # For alerts derived from central's system events: a stable key so a re-polled event is stored once.
    source_key = models.CharField(max_length=200, null=True, blank=True, unique=True)
    created_by = models.ForeignKey(
        "auth.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="broadcast_alerts"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-effective_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=models.F("effective_at")),
                name="alert_expires_after_effective",
            ),
        ]

    def __str__(self):
        return f"{self.alert_id} [{self.severity}] {self.title}"
