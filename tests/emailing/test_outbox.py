"""The outbox survives a mail server that refuses, and never sends a message twice."""

import email
import os
import re
import signal
import socket
import threading
import time
from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from emailing.delivery import backoff_seconds, deliver_due, deliver_one
from emailing.models import EmailKind, OutboxMessage, Status
from emailing.services import email_enqueue
from tests.helpers import send_code

pytestmark = pytest.mark.django_db


class SwitchableSmtp:
    """A real SMTP server on localhost that can be told to refuse every message."""

    def __init__(self):
        self.accepting = False
        self.received: list[email.message.Message] = []

    async def handle_DATA(self, server, session, envelope):
        if not self.accepting:
            return "451 4.3.0 Mail server temporarily unavailable"
        self.received.append(email.message_from_bytes(envelope.content))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp():
    handler = SwitchableSmtp()
    port = _free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    with override_settings(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=port,
        EMAIL_USE_TLS=False,
        EMAIL_USE_SSL=False,
        EMAIL_HOST_USER="",
        EMAIL_HOST_PASSWORD="",
        EMAIL_TIMEOUT=5,
    ):
        yield handler
    controller.stop()


def _make_due() -> None:
    OutboxMessage.objects.update(next_attempt_at=timezone.now() - timedelta(seconds=1))


def test_refusing_smtp_loses_nothing_and_sends_once_when_back(api_client, user, smtp):
    response = send_code(api_client, "ada@example.com", "sign-in")
    assert response.status_code == 200  # the request never waits for the mail server

    assert deliver_due() == {"pending": 1}
    message = OutboxMessage.objects.get()
    assert (message.status, message.attempts) == (Status.PENDING, 1)
    assert message.next_attempt_at > timezone.now()
    assert message.last_error.startswith("SMTP")
    assert deliver_due() == {}  # not due yet: backoff respected
    assert smtp.received == []

    smtp.accepting = True
    _make_due()
    assert deliver_due() == {"sent": 1}
    _make_due()
    assert deliver_due() == {}
    assert len(smtp.received) == 1
    delivered = smtp.received[0]
    assert delivered["To"] == "ada@example.com" and delivered["Subject"] == "Your sign-in code"
    message.refresh_from_db()
    assert message.status == Status.SENT and message.payload == ""


def test_unreachable_smtp_is_retried(api_client, user):
    with override_settings(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=_free_port(),
        EMAIL_TIMEOUT=2,
    ):
        send_code(api_client, "ada@example.com", "sign-in")
        assert deliver_due() == {"pending": 1}
    assert OutboxMessage.objects.get().last_error.startswith("ConnectionRefusedError")


def test_a_message_that_outlives_its_code_is_dropped(api_client, user, smtp):
    send_code(api_client, "ada@example.com", "sign-in")
    OutboxMessage.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    smtp.accepting = True
    assert deliver_due() == {"expired": 1}
    assert smtp.received == []
    assert OutboxMessage.objects.get().payload == ""


def test_backoff_grows_and_is_capped():
    assert [backoff_seconds(n) for n in (1, 2, 3, 4)] == [5, 10, 20, 40]
    assert backoff_seconds(30) == 15 * 60


def test_deliver_one_skips_finished_messages(api_client, user, mailoutbox):
    send_code(api_client, "ada@example.com", "sign-in")
    message = OutboxMessage.objects.get()
    assert deliver_one(message_id=message.pk).status == "sent"
    assert deliver_one(message_id=message.pk) is None
    assert len(mailoutbox) == 1


def test_worker_command_one_shot(api_client, user, mailoutbox, capsys):
    send_code(api_client, "ada@example.com", "sign-in")
    send_code(api_client, "ghost@example.com", "forget-password")
    call_command("deliver_email")
    assert capsys.readouterr().out.strip() == "sent=1, suppressed=1"
    call_command("deliver_email")
    assert capsys.readouterr().out.strip() == "nothing due"
    assert len(mailoutbox) == 1


@pytest.mark.django_db(transaction=True)  # a long-lived loop: no test transaction around it
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_worker_loop_stops_at_once_on_a_stop_signal(signum):
    """A container's stop (SIGTERM) cuts the wait between passes short: the loop ends well
    inside a stop's grace period, whatever --interval is."""
    previous = signal.getsignal(signum)
    threading.Timer(0.5, os.kill, (os.getpid(), signum)).start()
    started = time.monotonic()
    try:
        call_command("deliver_email", "--loop", "--interval", "60")
    finally:
        signal.signal(signum, previous)
    assert time.monotonic() - started < 5


def test_outbox_is_visible_in_the_admin(admin_client, api_client, user):
    send_code(api_client, "ada@example.com", "sign-in")
    page = admin_client.get("/admin/emailing/outboxmessage/", {"status__exact": "pending"})
    assert page.status_code == 200 and b"ada@example.com" in page.content
    detail = admin_client.get(
        f"/admin/emailing/outboxmessage/{OutboxMessage.objects.get().pk}/change/"
    )
    assert detail.status_code == 200 and b"payload" not in detail.content.lower()


def test_debug_console_prints_the_code_and_a_summary_per_mail(api_client, user, capsys, settings):
    settings.DEBUG = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    send_code(api_client, "ada@example.com", "sign-in")
    deliver_due()
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2, lines  # not the message's MIME
    assert re.fullmatch(r"code \d{6} for ada@example\.com \(Sign-in code\)", lines[0])
    assert re.fullmatch(
        r'mail to ada@example\.com: "[^"]+", link http://\S+/auth/link#token=[\w-]+', lines[1]
    )
    assert OutboxMessage.objects.get().status == Status.SENT


def test_debug_console_summarises_a_mail_without_a_code(api_client, user, capsys, settings):
    settings.DEBUG = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    email_enqueue(kind=EmailKind.PASSWORD_CHANGED, to_email="ada@example.com", secrets={})
    deliver_due()
    assert re.fullmatch(r'mail to ada@example\.com: "[^"]+"\n', capsys.readouterr().out)


def test_no_code_line_outside_debug(api_client, user, capsys, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    send_code(api_client, "ada@example.com", "sign-in")
    deliver_due()
    out = capsys.readouterr().out
    assert not out.startswith("code ")
    assert "Content-Type: multipart/alternative" in out  # the whole message, as the backend does
