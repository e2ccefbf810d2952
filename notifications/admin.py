from django.contrib import admin, messages
from django.http import JsonResponse
from django.urls import path
from django.utils import timezone
from django.views.decorators.cache import never_cache

from notifications.forms import AlertScopeForm, BroadcastAlertAdminForm
from notifications.models import BroadcastAlert, Notification
from notifications.selectors import alert_reach
from notifications.services import broadcast_alert_publish


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("notification_id", "driver", "type", "message", "read", "created_at")
    list_filter = ("type", "read", "created_at")
    search_fields = ("notification_id", "driver__driver_id", "message")
    list_select_related = ("driver",)
    raw_id_fields = ("driver", "session")
    readonly_fields = ("notification_id", "dedupe_key", "created_at")


@admin.register(BroadcastAlert)
class BroadcastAlertAdmin(admin.ModelAdmin):
    list_display = ("alert_id", "title", "severity", "effective_at", "expires_at", "in_force", "source")
    list_filter = ("severity", "source", "effective_at")
    search_fields = ("alert_id", "title", "message")
    form = BroadcastAlertAdminForm
    readonly_fields = ("alert_id", "source", "source_key", "created_by", "created_at")
    fieldsets = (
        (None, {"fields": ("title", "message", "severity", "effective_at", "expires_at")}),
        (
            "Who receives it",
            {
                "fields": ("cities", "charging_points"),
                "description": "No cities and no points: every driver. Otherwise a driver receives the alert when "
                "their home city, the city of one of their favorite points or of their open session's point is "
                "one of the cities, or when one of the points is a favorite of theirs or their open session's.",
            },
        ),
        ("Record", {"fields": ("alert_id", "source", "source_key", "created_by", "created_at")}),
    )
    actions = ("expire_now",)

    class Media:
        # Shows "Reaches N drivers" under the scope as the operator picks cities and points (reach_view).
        js = ("notifications/admin/alert_reach.js",)

    def get_urls(self):
        reach = path("reach/", never_cache(self.reach_view), name="notifications_broadcastalert_reach")
        return [reach, *super().get_urls()]

    def reach_view(self, request):
        """GET ?cities=…&charging_points=<pk>…: `{"drivers": n, "everyone": bool}`, the drivers an alert with
        this scope reaches now, counted by the same rule that delivers it. Staff who may add or change alerts
        only (403 otherwise, not the admin's redirect: the form's script reads it); a bad scope → 400."""
        allowed = self.admin_site.has_permission(request) and (
            self.has_add_permission(request) or self.has_change_permission(request)
        )
        if not allowed:
            return JsonResponse({"detail": "Staff who manage alerts only."}, status=403)
        form = AlertScopeForm(request.GET)
        if not form.is_valid():
            return JsonResponse({"detail": "Invalid alert scope", **form.errors.get_json_data()}, status=400)
        point_pks, cities = form.scope()
        drivers = alert_reach(point_pks=point_pks, cities=cities)
        return JsonResponse({"drivers": len(drivers), "everyone": not point_pks and not cities})

    @admin.display(boolean=True, description="In force")
    def in_force(self, obj):
        now = timezone.now()
        return obj.effective_at <= now and (obj.expires_at is None or obj.expires_at > now)

    @admin.action(description="Expire the selected alerts now")
    def expire_now(self, request, queryset):
        now = timezone.now()
        count = 0
        for alert in queryset:
            # An alert that is not yet in force expires together with its start (the DB requires
            # expires_at > effective_at), so it never shows.
            if alert.effective_at >= now:
                alert.effective_at = now - timezone.timedelta(seconds=1)
            alert.expires_at = now
            alert.save(update_fields=["effective_at", "expires_at"])
            count += 1
        self.message_user(request, f"{count} alert(s) expired.", messages.SUCCESS)

    def save_model(self, request, obj, form, change):
        if not change and obj.created_by is None:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
        if not change:
            broadcast_alert_publish(alert=obj)
