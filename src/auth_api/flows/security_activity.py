"""The caller's security activity (GET security-events/)."""

from django.db.models import QuerySet

from auth_api.authentication import Principal
from auth_api.flows.sign_ins import sign_in_current
from auth_api.models import SecurityEvent


def security_events_list(*, principal: Principal) -> QuerySet[SecurityEvent]:
    """The caller's events, newest first (a queryset: the view paginates it)."""
    sign_in_current(principal=principal)
    return SecurityEvent.objects.filter(user_id=principal.id).order_by("-created_at", "-id")
