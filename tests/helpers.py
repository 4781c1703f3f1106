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


def send_code(client: APIClient, email: str, code_type: str, **environ):
    return client.post(
        "/api/auth/email-otp/send/", {"email": email, "type": code_type}, format="json", **environ
    )


class LoopbackClient:
    """A client of a live server from its own loopback address (127.0.0.2, 127.0.0.3, ... are
    other machines to the server). It keeps cookies like a browser behind a TLS-terminating
    proxy would: `Secure` cookies are sent back although the test server speaks plain HTTP."""

    def __init__(self, base_url: str, source_ip: str = "127.0.0.1"):
        from urllib.parse import urlsplit

        parts = urlsplit(base_url)
        self.host, self.port = parts.hostname, parts.port
        self.source_ip = source_ip
        self.cookies: dict[str, str] = {}

    def post(self, path: str, body: dict | None = None, headers: dict | None = None):
        return self.request("POST", path, body, headers)

    def get(self, path: str, headers: dict | None = None):
        return self.request("GET", path, None, headers)

    def request(self, method: str, path: str, body: dict | None, headers: dict | None):
        import http.client
        import json
        from http.cookies import SimpleCookie

        connection = http.client.HTTPConnection(
            self.host, self.port, timeout=30, source_address=(self.source_ip, 0)
        )
        sent = {"Content-Type": "application/json", **(headers or {})}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        try:
            connection.request(method, path, json.dumps(body) if body is not None else None, sent)
            response = connection.getresponse()
            raw = response.read()
        finally:
            connection.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                if morsel["max-age"] == "0" or not morsel.value:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        return LoopbackResponse(response.status, raw, dict(response.headers))


class LoopbackResponse:
    def __init__(self, status: int, raw: bytes, headers: dict):
        self.status_code, self.content, self.headers = status, raw, headers

    def json(self):
        import json

        return json.loads(self.content) if self.content else None

    @property
    def code(self) -> str | None:
        body = self.json()
        return body.get("code") if isinstance(body, dict) else None
