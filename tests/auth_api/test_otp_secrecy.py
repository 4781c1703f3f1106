"""Codes never appear in logs, and no table holds one readably (only encrypted, then erased)."""

import logging

import pytest
from django.apps import apps
from django.db import connection
from django.test import override_settings
from rest_framework.test import APIClient

from auth_api.codes import store
from emailing.delivery import deliver_due
from tests.helpers import send_code

pytestmark = pytest.mark.django_db

CODE = "864213"


def _all_text_in_database() -> str:
    chunks = []
    with connection.cursor() as cursor:
        for model in apps.get_models():
            table = connection.ops.quote_name(model._meta.db_table)
            cursor.execute(f"SELECT * FROM {table}")  # noqa: S608 - our own table names
            chunks.extend(str(value) for row in cursor.fetchall() for value in row)
    return "\n".join(chunks)


@pytest.fixture
def fixed_code(monkeypatch):
    monkeypatch.setattr(store, "new_code", lambda: CODE)
    return CODE


@pytest.fixture
def everything_logged(caplog):
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="django")  # Django pins its tree at INFO
    with override_settings(DEBUG=True):  # DEBUG also logs every SQL statement and its params
        yield caplog


def test_code_is_never_in_a_table_readably(api_client, user, fixed_code, mailoutbox):
    send_code(api_client, "ada@example.com", "sign-in")
    assert fixed_code not in _all_text_in_database()  # hashed + encrypted while queued
    deliver_due()
    assert fixed_code in mailoutbox[0].body
    assert fixed_code not in _all_text_in_database()  # and erased once delivered


def test_code_never_reaches_the_logs(api_client, user, fixed_code, everything_logged, mailoutbox):
    send_code(api_client, "ada@example.com", "sign-in")
    deliver_due()
    for guess in ("111111", fixed_code):
        APIClient().post(
            "/api/auth/email-otp/sign-in/",
            {"email": "ada@example.com", "otp": guess},
            format="json",
        )
    assert any(r.name == "django.db.backends" for r in everything_logged.records)
    assert fixed_code not in everything_logged.text


def test_failed_delivery_logs_no_code(api_client, user, fixed_code, everything_logged):
    with override_settings(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=9,
        EMAIL_TIMEOUT=1,
    ):
        send_code(api_client, "ada@example.com", "forget-password")
        deliver_due()
    assert "not delivered" in everything_logged.text
    assert fixed_code not in everything_logged.text
