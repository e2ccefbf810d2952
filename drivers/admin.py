from django.contrib import admin
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from drivers.models import Driver, Favorite, Watch


class FavoriteInline(admin.TabularInline):
    model = Favorite
    extra = 0
    autocomplete_fields = ("charging_point",)


@admin.register(Driver)
class DriverAdmin(admin.ModelAdmin):
    list_display = (
        "driver_id",
        "display_name",
        "user",
        "home_city",
        "sessions_link",
        "notifications_link",
        "created_at",
    )
    list_filter = ("home_city",)
    search_fields = ("driver_id", "display_name", "user__username", "user__email", "home_city")
    raw_id_fields = ("user",)
    inlines = (FavoriteInline,)

    @admin.display(description="Sessions")
    def sessions_link(self, obj):
        url = reverse("admin:sessions_app_chargingsession_changelist") + f"?driver__driver_id={obj.driver_id}"
        return format_html('<a href="{}">sessions</a>', url)

    @admin.display(description="Notifications")
    def notifications_link(self, obj):
        url = reverse("admin:notifications_notification_changelist") + f"?driver__driver_id={obj.driver_id}"
        return format_html('<a href="{}">notifications</a>', url)


@admin.register(Favorite)
class FavoriteAdmin(admin.ModelAdmin):
    list_display = ("driver", "charging_point", "created_at")
    search_fields = ("driver__driver_id", "charging_point__cp_id")
    list_select_related = ("driver", "charging_point")


class WatchStateFilter(admin.SimpleListFilter):
    """Active / ended by the point turning free / removed by the driver / expired (ended or not yet swept)."""

    title = "state"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [
            ("active", "Active"),
            ("free", "Notified: point free"),
            ("cancelled", "Removed"),
            ("expired", "Expired"),
        ]

    def queryset(self, request, queryset):
        now = timezone.now()
        not_ended = Q(ended_at__isnull=True)
        match self.value():
            case "active":
                return queryset.filter(not_ended, expires_at__gt=now)
            case "free":
                return queryset.filter(end_reason=Watch.EndReason.FREE)
            case "cancelled":
                return queryset.filter(end_reason=Watch.EndReason.CANCELLED)
            case "expired":
                return queryset.filter(Q(end_reason=Watch.EndReason.EXPIRED) | (not_ended & Q(expires_at__lte=now)))
        return queryset


@admin.register(Watch)
class WatchAdmin(admin.ModelAdmin):
    """Drivers' "tell me when it's free" watches: to follow, not to edit (they are the drivers' and the poll's)."""

    list_display = (
        "driver",
        "charging_point",
        "point_status",
        "state",
        "created_at",
        "expires_at",
        "ended_at",
        "end_reason",
    )
    list_filter = (WatchStateFilter, "end_reason", "charging_point__status", "created_at")
    search_fields = ("driver__driver_id", "charging_point__cp_id", "charging_point__name")
    list_select_related = ("driver", "charging_point")
    readonly_fields = ("driver", "charging_point", "created_at", "expires_at", "ended_at", "end_reason")
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    @admin.display(description="Point status", ordering="charging_point__status")
    def point_status(self, obj):
        return obj.charging_point.status

    @admin.display(description="State")
    def state(self, obj):
        if obj.ended_at is None:
            return "Active" if obj.expires_at > timezone.now() else "Expired"
        return obj.get_end_reason_display()
