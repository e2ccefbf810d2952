from django.contrib import admin

from chargingpoints import services
from chargingpoints.models import ChargingPoint

# What the poll of central writes, and the two timestamps that follow it: read-only here.
LIVE_FIELDS = (*services.LIVE_FIELDS, "status_changed_at", "last_updated")


@admin.register(ChargingPoint)
class ChargingPointAdmin(admin.ModelAdmin):
    list_display = (
        "cp_id",
        "name",
        "city",
        "connector_type",
        "power_kw",
        "price_eur_per_kwh",
        "status",
        "last_updated",
    )
    list_filter = ("status", "connector_type", "city")
    search_fields = ("cp_id", "name", "address", "city")
    ordering = ("cp_id",)
    readonly_fields = LIVE_FIELDS + ("created_at", "updated_at")
    fieldsets = (
        (None, {"fields": ("cp_id", "name", "connector_type", "power_kw", "price_eur_per_kwh", "amenities")}),
        ("Location", {"fields": ("address", "city", "latitude", "longitude")}),
        ("Live, from central (read-only)", {"fields": LIVE_FIELDS}),
        ("Record", {"fields": ("created_at", "updated_at")}),
    )
