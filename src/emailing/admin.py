from django.contrib import admin

from .models import OutboxMessage


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "kind",
        "to_email",
        "status",
        "attempts",
        "next_attempt_at",
        "sent_at",
        "last_error",
    )
    list_filter = ("status", "kind")
    search_fields = ("to_email",)
    ordering = ("-created_at",)
    exclude = ("payload",)  # encrypted secrets are nobody's business, admins included
    readonly_fields = (
        "kind",
        "to_email",
        "requires_user",
        "status",
        "attempts",
        "next_attempt_at",
        "last_error",
        "created_at",
        "sent_at",
        "expires_at",
    )

    def has_add_permission(self, request) -> bool:
        return False
