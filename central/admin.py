"""Admin views of the conversation with central: outbox, dead letters, consumer progress, poll state."""

from django.contrib import admin

from central.models import CentralSyncState, ConsumerProgress, DeadLetter, OutboxMessage


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = ("topic", "key", "created_at", "sent_at", "attempts", "last_error")
    list_filter = ("topic", ("sent_at", admin.EmptyFieldListFilter))
    search_fields = ("key",)
    readonly_fields = ("topic", "key", "payload", "session", "created_at", "sent_at", "attempts", "last_error")


@admin.register(DeadLetter)
class DeadLetterAdmin(admin.ModelAdmin):
    list_display = ("topic", "partition", "offset", "error", "created_at")
    list_filter = ("topic",)
    search_fields = ("key", "value", "error")
    readonly_fields = ("topic", "partition", "offset", "key", "value", "error", "created_at")


@admin.register(CentralSyncState)
class CentralSyncStateAdmin(admin.ModelAdmin):
    list_display = ("last_success_at", "last_attempt_at", "unreachable_since", "last_error")
    readonly_fields = (
        "last_attempt_at",
        "last_success_at",
        "unreachable_since",
        "last_error",
        "outage_alerted_at",
        "poll_number",
        "poll_lease_until",
        "applied_poll_number",
    )

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ConsumerProgress)
class ConsumerProgressAdmin(admin.ModelAdmin):
    list_display = ("name", "caught_up_at", "heartbeat_at")
    readonly_fields = ("name", "caught_up_at", "heartbeat_at")
