"""How JWTs are signed and verified: the algorithm, the keys, and the token types built on them.

Every token this service mints or reads is a `SignedToken`, and `SignedToken` asks this module
alone for its backend: moving from the shared HS256 key to key pairs changes this file only.
"""

from datetime import timedelta

from rest_framework_simplejwt.backends import TokenBackend
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.state import token_backend
from rest_framework_simplejwt.tokens import Token

ACCESS = "access"
REFRESH = "refresh"
PASSWORD_RESET = "password_reset"  # noqa: S105 - a token type


class BadToken(Exception):
    """The token is malformed, badly signed, expired, of another type, or lacks a claim."""


def signing_backend() -> TokenBackend:
    """simplejwt's backend, configured from SIMPLE_JWT (algorithm, key, iss, aud, leeway)."""
    return token_backend


class SignedToken(Token):
    def get_token_backend(self) -> TokenBackend:
        return signing_backend()


class AccessToken(SignedToken):
    token_type = ACCESS
    lifetime = timedelta(minutes=10)  # replaced per token from settings when minted


class RefreshToken(SignedToken):
    token_type = REFRESH
    lifetime = timedelta(days=7)  # replaced per token from the sign-in's expiry


class PasswordResetToken(SignedToken):
    """Purpose-scoped: resets one user's password, once; refused everywhere else by its type."""

    token_type = PASSWORD_RESET
    lifetime = timedelta(minutes=10)  # replaced per token from settings


def decode(token_class: type[SignedToken], raw: str) -> SignedToken:
    """Signature, algorithm, iss/aud, expiry and `token_type` checked, or BadToken."""
    try:
        return token_class(raw)  # type: ignore[arg-type]
    except (TokenError, ValueError, TypeError) as exc:
        raise BadToken(str(exc)) from None
