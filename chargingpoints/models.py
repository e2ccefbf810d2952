from django.db import models
from django.utils import timezone


class ConnectorType(models.TextChoices):
    TYPE_2 = "Type 2", "Type 2"
    CCS = "CCS", "CCS"
    CHADEMO = "CHAdeMO", "CHAdeMO"


class PointStatus(models.TextChoices):
    FREE = "FREE", "Free"
    OCCUPIED = "OCCUPIED", "Occupied"
    OFFLINE = "OFFLINE", "Offline"


class ChargingPoint(models.Model):
    """A charging point: static data edited by operators, live fields fed by central's poll."""

    cp_id = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=200)
    address = models.CharField(max_length=300, blank=True)
    city = models.CharField(max_length=120, db_index=True)
    latitude = models.FloatField()
    longitude = models.FloatField()
    connector_type = models.CharField(max_length=16, choices=ConnectorType.choices)
    power_kw = models.FloatField()
    price_eur_per_kwh = models.DecimalField(max_digits=8, decimal_places=4)
    amenities = models.JSONField(default=list, blank=True)

    # Live fields, owned by central (read-only in the admin).
    status = models.CharField(max_length=16, choices=PointStatus.choices, default=PointStatus.OFFLINE, db_index=True)
    central_state = models.CharField(max_length=32, blank=True, help_text="Central's display state, raw.")
    central_engine_state = models.CharField(max_length=32, blank=True, help_text="Central's engine state, raw.")
    central_session_id = models.CharField(max_length=64, blank=True, help_text="Session central runs here now.")
    central_driver_id = models.CharField(max_length=64, blank=True, help_text="Driver central has here now.")
    telemetry_kw = models.FloatField(null=True, blank=True)
    telemetry_kwh = models.FloatField(null=True, blank=True)
    telemetry_eur = models.FloatField(null=True, blank=True)
    telemetry_session_id = models.CharField(max_length=64, blank=True)
    status_changed_at = models.DateTimeField(default=timezone.now)
    last_updated = models.DateTimeField(null=True, blank=True, help_text="When central last reported this point.")

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["cp_id"]
        # The map's bounding box and the radius search's prefilter (discovery.selectors) are ranges on these.
        indexes = [models.Index(fields=["latitude", "longitude"], name="cp_latitude_longitude_idx")]
        constraints = [
            models.CheckConstraint(condition=models.Q(power_kw__gt=0), name="cp_power_positive"),
            models.CheckConstraint(condition=models.Q(price_eur_per_kwh__gte=0), name="cp_price_not_negative"),
            models.CheckConstraint(
                condition=models.Q(latitude__gte=-90, latitude__lte=90, longitude__gte=-180, longitude__lte=180),
                name="cp_coordinates_valid",
            ),
        ]

    def __str__(self):
        return f"{self.cp_id} {self.name}"
