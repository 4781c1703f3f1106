"""Helpers the tests import: HTTP calls as a client makes them, and reading mailed codes."""

import re

from rest_framework.test import APIClient

PASSWORD = "violet-tangerine-47"


def _split(extra: dict) -> tuple[dict, dict]:
    """(body fields, WSGI environ entries such as HTTP_* headers and REMOTE_ADDR)."""
    environ = {k: v for k, v in extra.items() if k.isupper()}
    return {k: v for k, v in extra.items() if k not in environ}, environ


def sign_in(client: APIClient, email: str = "ada@example.com", password: str = PASSWORD, **extra):
    body, environ = _split(extra)
    return client.post(
        "/api/auth/sign-in/",
        {"email": email, "password": password, **body},
        format="json",
        **environ,
    )


def csrf_headers(client: APIClient) -> dict:
    client.get("/api/auth/csrf/")
    return {"HTTP_X_CSRFTOKEN": client.cookies["csrftoken"].value}


def refresh(client: APIClient, **extra):
    return client.post("/api/auth/refresh/", format="json", **csrf_headers(client), **extra)


def bearer(token: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def deliver_and_read_code(mailoutbox, email: str) -> str:
    """Deliver what is queued, then read the newest code mailed to `email`."""
    from emailing.delivery import deliver_due

    deliver_due()
    bodies = [m.body for m in mailoutbox if email.strip().lower() in m.to]
    assert bodies, f"no mail to {email}"
    return re.search(r"^\s+(\d{6})\s*$", bodies[-1], re.MULTILINE).group(1)


def send_code(client: APIClient, email: str, otp_type: str, **environ):
    return client.post(
        "/api/auth/email-otp/send/", {"email": email, "type": otp_type}, format="json", **environ
    )
