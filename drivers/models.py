from django.conf import settings
from django.db import models


class Driver(models.Model):
    """A driver, signed in as a Django user."""

    driver_id = models.CharField(max_length=64, unique=True)
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="driver")
    display_name = models.CharField(max_length=120, blank=True)
    home_latitude = models.FloatField(null=True, blank=True)
    home_longitude = models.FloatField(null=True, blank=True)
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
