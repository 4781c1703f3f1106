"""Reads on the outbox."""

from dataclasses import dataclass

from django.db.models import Count, Min, Q

import clock

from .models import OutboxMessage, Status


@dataclass(frozen=True)
class Backlog:
    pending: int  # messages waiting to be sent
    oldest_age_seconds: float  # how long the oldest of them has waited (0 when none)
    retrying: int  # waiting messages whose earlier attempts failed


def outbox_backlog() -> Backlog:
    """One aggregate query over the pending messages (status leads the outbox index)."""
    row = OutboxMessage.objects.filter(status=Status.PENDING).aggregate(
        pending=Count("id"),
        oldest=Min("created_at"),
        retrying=Count("id", filter=Q(attempts__gt=0)),
    )
    oldest = row["oldest"]
    age = max(0.0, (clock.now() - oldest).total_seconds()) if oldest is not None else 0.0
    return Backlog(pending=row["pending"], oldest_age_seconds=age, retrying=row["retrying"])
