from django.conf import settings
from django.db import models
from django.utils import timezone


class Driver(models.Model):
    """A driver, signed in as a Django user."""

    driver_id = models.CharField(max_length=64, unique=True)
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="driver")
    display_name = models.CharField(max_length=120, blank=True)
    home_latitude = models.FloatField(null=True, blank=True)
    home_longitude = models.FloatField(null=True, blank=True)
    # The city the driver lives in, as the charging points spell it: a broadcast alert scoped to that city
    # reaches the driver (notifications.selectors: the alert scope rule). Matched case-insensitively.
    home_city = models.CharField(
        max_length=120,
        blank=True,
        help_text="The driver's home city. Alerts scoped to this city reach the driver (matched case-insensitively).",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["driver_id"]

    def __str__(self):
        return self.driver_id


class Favorite(models.Model):
    driver = models.ForeignKey(Driver, on_delete=models.CASCADE, related_name="favorites")
    charging_point = models.ForeignKey(
        "chargingpoints.ChargingPoint", on_delete=models.CASCADE, related_name="favorited_by"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["driver", "charging_point"], name="favorite_unique_per_driver"),
        ]

    def __str__(self):
        return f"{self.driver_id} ★ {self.charging_point_id}"


class Watch(models.Model):
    """ "Tell me when it's free": a driver waits for a busy point to turn FREE.

    Active while `ended_at` is empty and `expires_at` is in the future; at most one active watch per
    driver and point (a partial unique constraint). It ends once, with the reason: the point turned
    FREE (the driver was notified), the driver removed it, or it ran out (`WATCH_EXPIRY_SECONDS`).
    """

    class EndReason(models.TextChoices):
        FREE = "FREE", "Point became free (driver notified)"
        CANCELLED = "CANCELLED", "Removed by the driver"
        EXPIRED = "EXPIRED", "Expired"

    driver = models.ForeignKey(Driver, on_delete=models.CASCADE, related_name="watches")
    charging_point = models.ForeignKey(
        "chargingpoints.ChargingPoint", on_delete=models.CASCADE, related_name="watched_by"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.CharField(max_length=16, choices=EndReason.choices, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["driver", "charging_point"],
                condition=models.Q(ended_at__isnull=True),
                name="watch_one_active_per_driver_and_point",
            ),
            models.CheckConstraint(
                condition=models.Q(ended_at__isnull=True, end_reason="")
                | (models.Q(ended_at__isnull=False) & ~models.Q(end_reason="")),
                name="watch_ended_with_a_reason",
            ),
            models.CheckConstraint(
                condition=models.Q(expires_at__gt=models.F("created_at")), name="watch_expires_after_created"
            ),
        ]
        indexes = [
            # The poll looks up the active watches of the points that are FREE.
            models.Index(
                fields=["charging_point", "expires_at"],
                condition=models.Q(ended_at__isnull=True),
                name="watch_active_point_idx",
            ),
        ]

    def __str__(self):
        return f"{self.driver_id} 🔔 {self.charging_point_id}"
