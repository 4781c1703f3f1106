"""Outbox payloads encrypted at rest (Fernet: AES-128-CBC + HMAC-SHA256), keyed from SECRET_KEY."""

import base64
import json

from cryptography.fernet import Fernet, InvalidToken
from django.utils.crypto import salted_hmac


def _fernet() -> Fernet:
    key = salted_hmac("emailing.outbox.payload", "fernet-key", algorithm="sha256").digest()
    return Fernet(base64.urlsafe_b64encode(key))


def seal(data: dict) -> str:
    return _fernet().encrypt(json.dumps(data).encode()).decode()


def unseal(token: str) -> dict | None:
    """The payload, or None when it cannot be read (e.g. SECRET_KEY changed since)."""
    if not token:
        return {}
    try:
        return json.loads(_fernet().decrypt(token.encode()))
    except (InvalidToken, ValueError):
        return None
