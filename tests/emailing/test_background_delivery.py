"""Without a worker, mail still leaves: a thread delivers right after the request's commit."""

import time

import pytest
from django.core import mail
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
