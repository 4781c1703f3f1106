"""How JWTs are signed and verified: the algorithm, the keys, and the token types built on them.

Access tokens, the ones other services verify, are signed with the key pair of the ring (see
keys.py): EdDSA by default, `kid` in the header, and verification pins the algorithm of the key
that kid names. An access token signed with the shared HS256 key before key pairs existed (no kid)
verifies until it expires. Refresh and purpose tokens never leave this service: they stay on
simplejwt's HS256 backend (JWT_SIGNING_KEY), so a switch signs nobody out.
"""

from datetime import timedelta
from typing import Any

import jwt
from django.conf import settings
from django.core.signals import setting_changed
from rest_framework_simplejwt.backends import TokenBackend
from rest_framework_simplejwt.exceptions import TokenBackendError, TokenError
from rest_framework_simplejwt.state import token_backend
from rest_framework_simplejwt.tokens import Token

import clock
from auth_api.tokens.keys import forget_keyring, keyring

ACCESS = "access"
REFRESH = "refresh"
PASSWORD_RESET = "password_reset"  # noqa: S105 - a token type


class BadToken(Exception):
    """The token is malformed, badly signed, expired, of another type, or lacks a claim."""


def signing_backend() -> TokenBackend:
    """simplejwt's backend, configured from SIMPLE_JWT (HS256, key, iss, aud, leeway)."""
    return token_backend


class KeyPairBackend(TokenBackend):
    """simplejwt's backend with the key ring: sign with the active key, verify with the key the
    `kid` names, on that key's algorithm only."""

    def __init__(self) -> None:
        super().__init__(
            algorithm="HS256",  # the legacy path; every key pair brings its own algorithm
            signing_key=str(settings.JWT_SIGNING_KEY),
            audience=str(settings.JWT_AUDIENCE),
            issuer=str(settings.JWT_ISSUER),
            leeway=settings.JWT_LEEWAY_SECONDS,
        )

    def encode(self, payload: dict[str, Any]) -> str:
        key = keyring().signing
        claims = {**payload, "aud": self.audience, "iss": self.issuer}
        return jwt.encode(claims, key.private, algorithm=key.algorithm, headers={"kid": key.kid})

    def decode(self, token: Any, verify: bool = True) -> dict[str, Any]:
        try:
            kid = jwt.get_unverified_header(token).get("kid")
        except jwt.InvalidTokenError as exc:
            raise TokenBackendError("Token is invalid") from exc
        if kid is None:
            return self._decode_legacy_hs256(token)
        now = clock.now()
        key = keyring().verifier(kid, now) if isinstance(kid, str) else None
        if key is None and isinstance(kid, str):
            key = keyring(force=True).verifier(kid, now)  # rotated in another process just now
        if key is None:
            raise TokenBackendError("Token is invalid")
        try:
            return jwt.decode(
                token,
                key.public,
                algorithms=[key.algorithm],
                audience=self.audience,
                issuer=self.issuer,
                leeway=self.get_leeway(),
                # `iat` decides nothing here; expiry is also judged against the service's clock
                # (claims.decode_access_token), which tests move ahead: a token minted then must
                # not read as issued in the future.
                options={"verify_iat": False},
            )
        except jwt.ExpiredSignatureError as exc:
            raise TokenBackendError("Token is expired") from exc
        except jwt.InvalidTokenError as exc:
            raise TokenBackendError("Token is invalid") from exc

    def _decode_legacy_hs256(self, token: Any) -> dict[str, Any]:
        """HS256 access tokens from before the switch verify until they expire, and no later:
        issued before the first key pair, and living no longer than an access token does."""
        issued_before = keyring().hs256_issued_before
        if issued_before is None:
            raise TokenBackendError("Token is invalid")
        payload = super().decode(token)
        iat, exp = payload.get("iat"), payload.get("exp")
        if not isinstance(iat, int) or not isinstance(exp, int):
            raise TokenBackendError("Token is invalid")
        lifetime = settings.ACCESS_TOKEN_LIFETIME.total_seconds()
        if iat >= issued_before.timestamp() or exp - iat > lifetime:
            raise TokenBackendError("Token is invalid")
        return payload


_key_pair_backend: KeyPairBackend | None = None


def access_backend() -> KeyPairBackend:
    global _key_pair_backend
    if _key_pair_backend is None:
        _key_pair_backend = KeyPairBackend()
    return _key_pair_backend


def _forget_backend(*, setting: str, **kwargs) -> None:
    global _key_pair_backend
    if setting.startswith(("JWT_", "SIMPLE_JWT", "SIGNING_KEYS", "ACCESS_TOKEN")):
        _key_pair_backend = None
        forget_keyring()


setting_changed.connect(_forget_backend)


class SignedToken(Token):
    def get_token_backend(self) -> TokenBackend:
        return signing_backend()


class AccessToken(SignedToken):
    token_type = ACCESS
    lifetime = timedelta(minutes=10)  # replaced per token from settings when minted

    def get_token_backend(self) -> TokenBackend:
        return access_backend()


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
    except (TokenError, ValueError, TypeError, OverflowError, OSError) as exc:
        # OverflowError, OSError: an `exp` no datetime holds (only a token signed with our key)
        raise BadToken(str(exc)) from None
