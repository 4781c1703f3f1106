"""Deliver queued messages: at most one sender per message, retries with backoff, secrets erased."""

import logging
import smtplib
import socket
from collections import Counter
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import connection, transaction
from django.utils import timezone

from users.selectors import user_email_taken

from .crypto import unseal
from .models import OutboxMessage, Status
from .rendering import render

logger = logging.getLogger("emailing")

MAX_ATTEMPTS = 12
_BACKOFF_BASE_SECONDS = 5
_BACKOFF_CAP_SECONDS = 15 * 60
_SEND_ERRORS = (smtplib.SMTPException, OSError, socket.timeout)


@dataclass(frozen=True)
class Attempt:
    status: str
    retry_in: float | None = None


def backoff_seconds(attempts: int) -> int:
    return min(_BACKOFF_BASE_SECONDS * 2 ** max(0, attempts - 1), _BACKOFF_CAP_SECONDS)


def deliver_due(*, limit: int = 100) -> Counter:
    """Try every message that is due; returns how many ended in each status."""
    due = (
        OutboxMessage.objects.filter(status=Status.PENDING, next_attempt_at__lte=timezone.now())
        .order_by("next_attempt_at")
        .values_list("id", flat=True)[:limit]
    )
    outcomes: Counter = Counter()
    for message_id in list(due):
        result = deliver_one(message_id=message_id)
        if result is not None:
            outcomes[result.status] += 1
    return outcomes


def deliver_one(*, message_id: int) -> Attempt | None:
    """None when the message is not due, already done, or being sent by another process."""
    with transaction.atomic():
        queryset = OutboxMessage.objects.filter(
            pk=message_id, status=Status.PENDING, next_attempt_at__lte=timezone.now()
        )
        if connection.features.has_select_for_update_skip_locked:
            # A worker and a request thread never send the same message twice.
            queryset = queryset.select_for_update(skip_locked=True)
        message = queryset.first()
        if message is None:
            return None
        result = _attempt(message)
        message.save()
    return result


def _finish(message: OutboxMessage, status: str) -> Attempt:
    message.status = status
    message.payload = ""  # the code must not outlive its delivery
    if status == Status.SENT:
        message.sent_at = timezone.now()
    return Attempt(status)


def _attempt(message: OutboxMessage) -> Attempt:
    now = timezone.now()
    if message.expires_at is not None and message.expires_at <= now:
        return _finish(message, Status.EXPIRED)
    if message.requires_user and not user_email_taken(email=message.to_email):
        return _finish(message, Status.SUPPRESSED)
    secrets = unseal(message.payload)
    if secrets is None:
        message.last_error = "payload unreadable (SECRET_KEY changed?)"
        return _finish(message, Status.FAILED)
    try:
        _send(message, secrets)
    except _SEND_ERRORS as exc:
        return _retry_later(message, exc, now)
    return _finish(message, Status.SENT)


def _send(message: OutboxMessage, secrets: dict) -> None:
    rendered = render(message.kind, {**secrets, "email": message.to_email})
    email = EmailMultiAlternatives(
        rendered.subject, rendered.text, settings.DEFAULT_FROM_EMAIL, [message.to_email]
    )
    email.attach_alternative(rendered.html, "text/html")
    email.send(fail_silently=False)


def _retry_later(message: OutboxMessage, exc: Exception, now) -> Attempt:
    message.attempts += 1
    # The class and SMTP status only: server replies never carry the message body.
    message.last_error = f"{type(exc).__name__} {getattr(exc, 'smtp_code', '')}".strip()[:200]
    logger.warning(
        "message %s not delivered (%s); attempt %s",
        message.pk,
        message.last_error,
        message.attempts,
    )
    if message.attempts >= MAX_ATTEMPTS:
        return _finish(message, Status.FAILED)
    delay = backoff_seconds(message.attempts)
    message.next_attempt_at = now + timedelta(seconds=delay)
    if message.expires_at is not None and message.next_attempt_at >= message.expires_at:
        return _finish(message, Status.EXPIRED)
    return Attempt(Status.PENDING, retry_in=delay)
