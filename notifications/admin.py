from django.contrib import admin, messages
from django.utils import timezone

from notifications.models import BroadcastAlert, Notification


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
    filter_horizontal = ("charging_points",)
    readonly_fields = ("alert_id", "source", "source_key", "created_by", "created_at")
    actions = ("expire_now",)

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
