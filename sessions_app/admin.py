from django.contrib import admin

from sessions_app.models import ChargingSession, SessionTransition


class SessionTransitionInline(admin.TabularInline):
    model = SessionTransition
    extra = 0
    can_delete = False
    readonly_fields = ("created_at", "from_status", "to_status", "source", "reason")
    fields = readonly_fields

    def has_add_permission(self, request, obj=None):
        return False


class WaitingListFilter(admin.SimpleListFilter):
    """The queues in front of busy points: requests waiting there, in queue order."""

    title = "waiting list"
    parameter_name = "queued"

    def lookups(self, request, model_admin):
        return (("yes", "Waiting in a queue"), ("no", "Not queued"))

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(status="PENDING", queue_position__isnull=False).order_by(
                "charging_point__cp_id", "queue_position"
            )
        if self.value() == "no":
            return queryset.filter(queue_position__isnull=True)
        return queryset


@admin.register(ChargingSession)
class ChargingSessionAdmin(admin.ModelAdmin):
    """Sessions are written by drivers and central, never by hand: the admin only shows them."""

    list_display = (
        "request_id",
        "session_id",
        "driver",
        "charging_point",
        "status",
        "queue_position",
        "energy_kwh",
        "cost_eur",
        "requested_at",
        "completed_at",
    )
    list_filter = ("status", WaitingListFilter, "charging_point__city", "requested_at")
    search_fields = ("request_id", "session_id", "driver__driver_id", "charging_point__cp_id", "vehicle_id")
    list_select_related = ("driver", "charging_point")
    date_hierarchy = "requested_at"
    inlines = (SessionTransitionInline,)
    # The list follows live sessions: it shows its age and reloads itself this often (live_refresh.js).
    live_refresh_seconds = 10

    def changelist_view(self, request, extra_context=None):
        extra_context = {"live_refresh_seconds": self.live_refresh_seconds, **(extra_context or {})}
        return super().changelist_view(request, extra_context=extra_context)

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SessionTransition)
class SessionTransitionAdmin(admin.ModelAdmin):
    list_display = ("session", "from_status", "to_status", "source", "reason", "created_at")
    list_filter = ("to_status", "source")
    search_fields = ("session__request_id", "session__session_id", "session__driver__driver_id")
    list_select_related = ("session",)

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request):
        return False
