"""Deliver queued messages: at most one sender per message, retries with backoff, secrets erased.

A sender claims a message with one conditional UPDATE that moves its next attempt a lease ahead
(CLAIM_SECONDS): nobody else picks it up meanwhile, no row lock or transaction is held while SMTP
talks, and a sender that dies mid-send only delays the message by the lease (at least once).
Background senders also hand their database connection back before talking SMTP.
"""

import logging
import smtplib
import socket
import sys
from collections import Counter
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import connection

import clock
from observability import metrics
from users.selectors import user_email_taken

from .crypto import unseal
from .models import EmailKind, OutboxMessage, Status
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
        OutboxMessage.objects.filter(status=Status.PENDING, next_attempt_at__lte=clock.now())
        .order_by("next_attempt_at")
        .values_list("id", flat=True)[:limit]
    )
    outcomes: Counter = Counter()
    for message_id in list(due):
        result = deliver_one(message_id=message_id)
        if result is not None:
            outcomes[result.status] += 1
    return outcomes


def claim_seconds() -> int:
    """How long a claimed message is left to its sender: several SMTP timeouts."""
    return max(60, 6 * int(settings.EMAIL_TIMEOUT or 10))


def _claim(message_id: int) -> OutboxMessage | None:
    now = clock.now()
    claimed = OutboxMessage.objects.filter(
        pk=message_id, status=Status.PENDING, next_attempt_at__lte=now
    ).update(next_attempt_at=now + timedelta(seconds=claim_seconds()))
    return OutboxMessage.objects.get(pk=message_id) if claimed else None


def deliver_one(*, message_id: int, release_connection: bool = False) -> Attempt | None:
    """None when the message is not due, already done, or claimed by another sender. With
    `release_connection`, the database connection is closed before SMTP is talked to."""
    message = _claim(message_id)
    if message is None:
        return None
    result = _attempt(message, release_connection=release_connection)
    message.save()
    if result.status != Status.PENDING:
        metrics.EMAIL_DELIVERIES.labels(result.status).inc()
    return result


def _finish(message: OutboxMessage, status: str) -> Attempt:
    message.status = status
    message.payload = ""  # the code must not outlive its delivery
    if status == Status.SENT:
        message.sent_at = clock.now()
    return Attempt(status)


def _attempt(message: OutboxMessage, *, release_connection: bool) -> Attempt:
    now = clock.now()
    if message.expires_at is not None and message.expires_at <= now:
        return _finish(message, Status.EXPIRED)
    if message.requires_user and not user_email_taken(email=message.to_email):
        return _finish(message, Status.SUPPRESSED)
    secrets = unseal(message.payload)
    if secrets is None:
        message.last_error = "payload unreadable (SECRET_KEY changed?)"
        metrics.EMAIL_DELIVERY_FAILURES.inc()
        return _finish(message, Status.FAILED)
    if release_connection:
        connection.close()  # reopened for the final save, after SMTP
    try:
        _send(message, secrets)
    except _SEND_ERRORS as exc:
        return _retry_later(message, exc, now)
    return _finish(message, Status.SENT)


_CONSOLE = "django.core.mail.backends.console.EmailBackend"


def _send(message: OutboxMessage, secrets: dict) -> None:
    rendered = render(message.kind, {**secrets, "email": message.to_email})
    if settings.DEBUG and settings.EMAIL_BACKEND == _CONSOLE:
        _print_for_development(message, secrets, rendered.subject)
        return
    email = EmailMultiAlternatives(
        rendered.subject, rendered.text, settings.DEFAULT_FROM_EMAIL, [message.to_email]
    )
    email.attach_alternative(rendered.html, "text/html")
    email.send(fail_silently=False)


def _print_for_development(message: OutboxMessage, secrets: dict, subject: str) -> None:
    """The development sink (DEBUG with the console backend): the code on a line of its own and
    one line saying what was mailed, instead of the message's MIME (about 50 lines). The file
    backend (EMAIL_FILE_PATH) keeps whole messages when they are wanted."""
    label = EmailKind(message.kind).label
    lines = []
    if "code" in secrets:
        lines.append(f"code {secrets['code']} for {message.to_email} ({label})")
    summary = f'mail to {message.to_email}: "{subject}"'
    if "link" in secrets:
        summary += f", link {secrets['link']}"
    lines.append(summary)
    sys.stdout.write("".join(f"{line}\n" for line in lines))
    sys.stdout.flush()


def _retry_later(message: OutboxMessage, exc: Exception, now) -> Attempt:
    metrics.EMAIL_DELIVERY_FAILURES.inc()
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
