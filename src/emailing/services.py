"""Queue an email inside the caller's transaction; it leaves once that transaction commits."""

import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

from django.conf import settings
from django.db import connections, transaction

from .crypto import seal
from .models import EmailKind, OutboxMessage

logger = logging.getLogger("emailing")


def email_enqueue(
    *,
    kind: EmailKind,
    to_email: str,
    secrets: dict | None = None,
    requires_user: bool = False,
    expires_at: datetime | None = None,
) -> OutboxMessage:
    """`secrets` (an OTP code) are stored encrypted and erased once the message is done with."""
    message = OutboxMessage.objects.create(
        kind=kind,
        to_email=to_email,
        payload=seal(secrets or {}),
        requires_user=requires_user,
        expires_at=expires_at,
    )
    if settings.EMAIL_DELIVERY == "thread":
        # Off the request path: the answer never waits for (or reveals) the mail server.
        transaction.on_commit(lambda: start_background_delivery(message.pk))
    return message


_senders: ThreadPoolExecutor | None = None
_senders_lock = threading.Lock()


def _pool() -> ThreadPoolExecutor:
    global _senders
    with _senders_lock:
        if _senders is None:
            _senders = ThreadPoolExecutor(
                max_workers=settings.EMAIL_SENDER_THREADS, thread_name_prefix="outbox"
            )
        return _senders


def start_background_delivery(message_id: int, delay: float = 0.0) -> None:
    """Hand the message to the bounded pool of sender threads (after `delay` seconds)."""
    if delay > 0:
        timer = threading.Timer(delay, start_background_delivery, args=(message_id,))
        timer.daemon = True
        timer.start()
        return
    _pool().submit(_deliver_in_background, message_id)


def _deliver_in_background(message_id: int) -> None:
    from .delivery import deliver_one

    try:
        result = deliver_one(message_id=message_id, release_connection=True)
        if result is not None and result.retry_in is not None:
            start_background_delivery(message_id, delay=result.retry_in)
    except Exception:
        logger.exception("background delivery of message %s failed; it stays queued", message_id)
    finally:
        connections.close_all()
