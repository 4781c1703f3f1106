"""The account's security activity: one append-only table, read by its owner, pruned after
SECURITY_EVENT_RETENTION_DAYS. Only kinds, times, addresses and user agents: never a secret."""

import random
from datetime import timedelta

from django.conf import settings

import clock
from auth_api.client import ClientInfo
from auth_api.models import SecurityEvent, SecurityEventType
from prepared import insert


def record(*, user_id: str, type: SecurityEventType, client: ClientInfo | None = None) -> None:
    event = SecurityEvent(
        user_id=user_id,
        type=type,
        ip_address=client.ip if client else None,
        user_agent=client.user_agent if client else "",
    )
    insert(event)  # the INSERT written once per process: every sign-in records one
    if random.random() < 0.01:  # noqa: S311 - housekeeping, not security
        prune()


def prune() -> int:
    cutoff = clock.now() - timedelta(days=settings.SECURITY_EVENT_RETENTION_DAYS)
    return SecurityEvent.objects.filter(created_at__lt=cutoff).delete()[0]


def readable_device(user_agent: str) -> str:
    """ "Firefox on Linux" from a user agent: enough for an owner to recognise a device."""
    browsers = (
        ("Edg/", "Edge"),
        ("OPR/", "Opera"),
        ("Firefox/", "Firefox"),
        ("Chrome/", "Chrome"),
        ("Safari/", "Safari"),
        ("curl/", "curl"),
        ("python", "Python client"),
        ("node", "Node client"),
        ("okhttp", "Android app"),
        ("CFNetwork", "iOS app"),
    )
    systems = (
        ("Windows", "Windows"),
        ("Android", "Android"),
        ("iPhone", "iOS"),
        ("iPad", "iPadOS"),
        ("Mac OS X", "macOS"),
        ("CrOS", "ChromeOS"),
        ("Linux", "Linux"),
    )
    browser = next((name for token, name in browsers if token in user_agent), "")
    system = next((name for token, name in systems if token in user_agent), "")
    if browser and system:
        return f"{browser} on {system}"
    return browser or system or "Unknown device"
