"""Admin views of this app: security activity (read-only), user deletion through the same
service as the API (`account_delete`), so an admin deletion leaves nothing behind either, a
user form whose new address or switching off ends the account's sign-ins as the API's changes
do, and the password forms of auth_api.admin.passwords (the site itself is project.admin_site)."""

from django.contrib import admin
from django.contrib.admin.models import DELETION, LogEntry
from django.contrib.contenttypes.models import ContentType

from auth_api.admin.passwords import AccountCreationForm, AccountPasswordForm
from auth_api.client import page_client
from auth_api.flows.account_deletion import account_delete
from auth_api.flows.staff_changes import account_edited_in_admin
from auth_api.models import SecurityEvent
from users.admin import UserAdmin
from users.models import User


@admin.register(SecurityEvent)
class SecurityEventAdmin(admin.ModelAdmin):
    list_display = ("created_at", "type", "user", "ip_address", "user_agent")
    list_filter = ("type",)
    search_fields = ("user__email",)
    ordering = ("-created_at",)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False  # append-only


admin.site.unregister(User)


@admin.register(User)
class AccountAdmin(UserAdmin):
    add_form = AccountCreationForm
    change_password_form = AccountPasswordForm

    def log_deletions(self, request, queryset) -> list[LogEntry]:
        """The admin's history keeps that an account was erased, not whose it was."""
        content_type = ContentType.objects.get_for_model(User)
        return [
            LogEntry.objects.create(
                user_id=request.user.pk,
                content_type=content_type,
                object_id="",
                object_repr="(erased account)",
                action_flag=DELETION,
            )
            for _ in queryset
        ]

    def save_model(self, request, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        if change:
            account_edited_in_admin(
                user=obj,
                old_email=form.initial.get("email"),
                fields=set(form.changed_data),
                client=page_client(request),
            )

    def delete_model(self, request, obj) -> None:
        account_delete(user_id=obj.pk)

    def delete_queryset(self, request, queryset) -> None:
        for user_id in list(queryset.values_list("pk", flat=True)):
            account_delete(user_id=user_id)
