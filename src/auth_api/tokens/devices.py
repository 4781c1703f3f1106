"""Device cookies (OWASP "Slow Down Online Guessing Attacks with Device Cookies").

A client that signed in to an account holds a signed token naming that account and a random
nonce: it is a trusted device for that account. Its failures are counted per nonce, and nothing a
stranger does spends its budget. One token holds up to MAX_ACCOUNTS accounts (a shared browser);
it travels in an httpOnly cookie, or in JSON bodies (`deviceToken`) for non-browser clients.
"""

import secrets

from django.core import signing

_SALT = "auth_api.device"
MAX_ACCOUNTS = 5
MAX_AGE_SECONDS = 365 * 24 * 3600


def _entries(token: str | None) -> list[list[str]]:
    if not token:
        return []
    try:
        entries = signing.loads(token, salt=_SALT, max_age=MAX_AGE_SECONDS)
    except (signing.BadSignature, ValueError):
        return []
    if not isinstance(entries, list):
        return []
    return [
        e
        for e in entries
        if isinstance(e, list) and len(e) == 2 and all(isinstance(x, str) for x in e)
    ]


def _nonce_in(entries: list[list[str]], user_id: str) -> str | None:
    return next((nonce for uid, nonce in entries if uid == user_id), None)


def trusted_nonce(token: str | None, *, user_id: str) -> str | None:
    """The nonce this device holds for `user_id`, or None when it is not trusted for it."""
    return _nonce_in(_entries(token), user_id)


def remember(token: str | None, *, user_id: str) -> str:
    """The device token after a sign-in of `user_id`: that account first, its nonce kept."""
    entries = _entries(token)
    nonce = _nonce_in(entries, user_id) or secrets.token_urlsafe(16)
    kept = [e for e in entries if e[0] != user_id][: MAX_ACCOUNTS - 1]
    return signing.dumps([[user_id, nonce], *kept], salt=_SALT, compress=True)
