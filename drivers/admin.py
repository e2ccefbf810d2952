from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from drivers.models import Driver, Favorite


class FavoriteInline(admin.TabularInline):
    model = Favorite
    extra = 0
    autocomplete_fields = ("charging_point",)


@admin.register(Driver)
class DriverAdmin(admin.ModelAdmin):
    list_display = ("driver_id", "display_name", "user", "sessions_link", "notifications_link", "created_at")
    search_fields = ("driver_id", "display_name", "user__username", "user__email")
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
