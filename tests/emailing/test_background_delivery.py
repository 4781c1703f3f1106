"""Without a worker, mail still leaves: a thread delivers right after the request's commit."""

import time

import pytest
from django.core import mail
from django.db import connection
from django.test import override_settings
from rest_framework.test import APIClient

from emailing.models import OutboxMessage, Status

pytestmark = pytest.mark.django_db(transaction=True)


def _wait_for(predicate, seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


@override_settings(EMAIL_DELIVERY="thread")
def test_code_is_delivered_after_commit_without_a_worker():
    response = APIClient().post(
        "/api/auth/email-otp/send/",
        {"email": "solo@example.com", "type": "sign-in"},
        format="json",
    )
    assert response.status_code == 200
    assert _wait_for(lambda: OutboxMessage.objects.filter(status=Status.SENT).exists())
    assert [m.to for m in mail.outbox] == [["solo@example.com"]]


@override_settings(EMAIL_DELIVERY="worker")
def test_worker_mode_leaves_delivery_to_the_worker(monkeypatch):
    from emailing import services

    started = []
    monkeypatch.setattr(services, "start_background_delivery", started.append)
    response = APIClient().post(
        "/api/auth/email-otp/send/",
        {"email": "solo@example.com", "type": "sign-in"},
        format="json",
    )
    assert response.status_code == 200
    assert started == []  # nothing was handed to a delivery thread
    assert OutboxMessage.objects.get().status == Status.PENDING
    assert mail.outbox == []


class SlowSmtp:
    """A real SMTP server that takes its time over every message."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.received: list[str] = []

    async def handle_DATA(self, server, session, envelope):
        import asyncio

        await asyncio.sleep(self.seconds)
        self.received.extend(envelope.rcpt_tos)
        return "250 OK"


@pytest.mark.skipif(
    connection.vendor != "mysql", reason="sender threads need a database other threads can reach"
)
def test_slow_smtp_holds_no_database_connection_and_a_bounded_number_of_threads(
    settings, monkeypatch
):
    """15 messages through a real SMTP server that takes 0.4 s each: at most
    EMAIL_SENDER_THREADS senders at a time, and none holds a database connection while it talks
    SMTP (checked in each sender thread at the moment it hands the message to SMTP)."""
    import threading

    from aiosmtpd.controller import Controller
    from django.db import connection as thread_connection

    from emailing import delivery
    from tests.emailing.test_outbox import _free_port

    handler, port = SlowSmtp(0.4), _free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_DELIVERY = "thread"
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 5
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    open_during_smtp: list[bool] = []
    real_send = delivery._send

    def send(message, secrets):
        # `connection` is per thread: this is the sender thread's own database connection.
        open_during_smtp.append(thread_connection.connection is not None)
        real_send(message, secrets)

    monkeypatch.setattr(delivery, "_send", send)
    try:
        for index in range(15):
            answer = APIClient().post(
                "/api/auth/email-otp/send/",
                {"email": f"slow{index}@example.com", "type": "sign-in"},
                format="json",
                REMOTE_ADDR=f"10.9.0.{index + 1}",
            )
            assert answer.status_code == 200
        peak_threads = 0
        while len(handler.received) < 15:
            senders = [t for t in threading.enumerate() if t.name.startswith("outbox")]
            peak_threads = max(peak_threads, len(senders))
            time.sleep(0.02)
        assert _wait_for(lambda: OutboxMessage.objects.filter(status=Status.SENT).count() == 15)
    finally:
        controller.stop()
    assert 1 <= peak_threads <= settings.EMAIL_SENDER_THREADS
    assert open_during_smtp == [False] * 15
    assert sorted(handler.received) == sorted(f"slow{i}@example.com" for i in range(15))
