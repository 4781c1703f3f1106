"""The claims of each token type, minted and read in one place (signing.py signs them).

Access tokens are verified without touching the database (all claims the API needs are inside).
Refresh tokens are rebuilt deterministically from their sign-in row, so a refresh racing inside the
grace period receives the very same newest token instead of forking the sign-in.
"""

import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

import jwt
from django.conf import settings
from django.core.signals import setting_changed
from django.utils.crypto import salted_hmac
from rest_framework_simplejwt.utils import datetime_from_epoch, datetime_to_epoch

import clock
from auth_api.models import SignIn
from auth_api.tokens.keys import keyring
from auth_api.tokens.signing import (
    AccessToken,
    BadToken,
    PasswordResetToken,
    RefreshToken,
    SignedToken,
    decode,
)

__all__ = ["AccessClaims", "BadToken", "RefreshClaims"]


@dataclass(frozen=True)
class AccessClaims:
    user_id: str
    sid: str
    role: str
    email: str
    email_verified: bool
    expires_at: datetime
    auth_time: datetime | None = None
    amr: tuple[str, ...] = ()  # RFC 8176 authentication methods ("pwd", "otp", "mfa", "hwk", "swk")


@dataclass(frozen=True)
class RefreshClaims:
    user_id: str
    sid: str
    jti: str


_IDS = frozenset({"sub", "sid", "jti"})  # printable ASCII, never long (imported ids too)


def _require(token: SignedToken, *names: str) -> None:
    for name in names:
        value = token.get(name)
        if not isinstance(value, str) or not value:
            raise BadToken("missing claim")
        if name in _IDS and not (value.isascii() and value.isprintable() and len(value) <= 64):
            raise BadToken("malformed claim")


def mint_access_token(
    *,
    user,
    sid: str,
    now: datetime | None = None,
    auth_time: datetime | None = None,
    amr: tuple[str, ...] = (),
) -> tuple[str, datetime]:
    """`authTime`: the last proof of a password or code in this sign-in (default: now)."""
    now = now or clock.now()
    token = AccessToken()
    expires_at = now + settings.ACCESS_TOKEN_LIFETIME
    token.payload.update(
        sub=str(user.pk),
        sid=sid,
        role=user.role,
        email=user.email,
        emailVerified=bool(user.email_verified),
        iat=datetime_to_epoch(now),
        exp=datetime_to_epoch(expires_at),
        authTime=datetime_to_epoch(auth_time or now),
        amr=list(amr),
    )
    return str(token), datetime_from_epoch(token["exp"])


def decode_access_token(raw: str) -> AccessClaims:
    claims, kid = _verify_access_token(raw)
    # Verified once per process; expiry, and that its key was not retired since, on every use.
    now = clock.now()
    if claims.expires_at <= now:
        raise BadToken("expired")
    if kid is not None and keyring().verifier(kid, now) is None:
        raise BadToken("key retired")
    return claims


@lru_cache(maxsize=4096)
def _verify_access_token(raw: str) -> tuple[AccessClaims, str | None]:
    """Signature, algorithm, iss/aud, type and claims; only successes are cached (by exact string),
    so a forged or tampered token is checked in full every time."""
    token = decode(AccessToken, raw)
    _require(token, "sub", "sid", "role", "email")
    if not isinstance(token.get("emailVerified"), bool):
        raise BadToken("missing claim")
    auth_time = token.get("authTime")  # absent only from tokens minted before it existed
    amr = token.get("amr")  # likewise
    try:
        claims = _access_claims(token, auth_time, amr)
    except (OverflowError, OSError, ValueError):  # a time no datetime holds (signed with our key)
        raise BadToken("malformed claim") from None
    return claims, jwt.get_unverified_header(raw).get("kid")


def _access_claims(token: SignedToken, auth_time: object, amr: object) -> AccessClaims:
    return AccessClaims(
        user_id=token["sub"],
        sid=token["sid"],
        role=token["role"],
        email=token["email"],
        email_verified=token["emailVerified"],
        expires_at=datetime_from_epoch(token["exp"]),
        auth_time=datetime_from_epoch(auth_time) if isinstance(auth_time, int) else None,
        amr=tuple(m for m in amr if isinstance(m, str)) if isinstance(amr, list) else (),
    )


def _forget_verified_tokens(*, setting: str, **kwargs) -> None:
    if setting.startswith(("SIMPLE_JWT", "JWT_", "SIGNING_KEYS", "ACCESS_TOKEN")):
        _verify_access_token.cache_clear()


setting_changed.connect(_forget_verified_tokens)


def mint_refresh_token(sign_in: SignIn) -> str:
    """The sign-in's current refresh token, rebuilt from the row (same input, same JWT)."""
    token = RefreshToken()
    token.payload.update(
        sub=str(sign_in.user_id),
        sid=sign_in.id,
        jti=sign_in.current_jti,
        iat=datetime_to_epoch(sign_in.current_issued_at),
        exp=datetime_to_epoch(sign_in.expires_at),
    )
    return str(token)


def decode_refresh_token(raw: str) -> RefreshClaims:
    token = decode(RefreshToken, raw)
    _require(token, "sub", "sid", "jti")
    return RefreshClaims(user_id=token["sub"], sid=token["sid"], jti=token["jti"])


def _password_fingerprint(user) -> str:
    # Bound to the current password hash and address: the first completed reset changes the one,
    # so the token is single-use without any server-side state; an email change the other, so a
    # token sent to the old address dies with it.
    binding = f"{user.pk}\n{user.password}\n{user.email}"
    return salted_hmac("auth_api.password_reset", binding).hexdigest()[:32]


def mint_password_reset_token(*, user, now: datetime | None = None) -> str:
    now = now or clock.now()
    token = PasswordResetToken()
    token.payload.update(
        sub=str(user.pk),
        pwd=_password_fingerprint(user),
        iat=datetime_to_epoch(now),
        exp=datetime_to_epoch(now + settings.PASSWORD_RESET_TOKEN_LIFETIME),
    )
    return str(token)


def decode_password_reset_token(raw: str) -> tuple[str, str]:
    """(user id, password fingerprint) of a valid reset token."""
    token = decode(PasswordResetToken, raw)
    _require(token, "sub", "pwd")
    return token["sub"], token["pwd"]


def password_reset_token_matches(user, fingerprint: str) -> bool:
    return hmac.compare_digest(_password_fingerprint(user), fingerprint)


def refresh_lifetime(*, remember_me: bool) -> timedelta:
    if remember_me:
        return settings.REFRESH_TOKEN_LIFETIME
    return settings.REFRESH_TOKEN_SHORT_LIFETIME
