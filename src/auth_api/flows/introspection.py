"""RFC 7662 token introspection for the app's other services (authenticated by a credential)."""

import base64
import binascii
import hmac

from django.conf import settings
from rest_framework_simplejwt.utils import datetime_to_epoch

import clock
from auth_api.errors import InvalidClient
from auth_api.models import SignIn
from auth_api.tokens.claims import BadToken, decode_access_token

INACTIVE = {"active": False}


def _clients() -> dict[str, str]:
    pairs = (
        item.split(":", 1)
        for item in (settings.INTROSPECTION_CLIENTS or "").split(",")
        if ":" in item
    )
    return {
        name.strip(): secret.strip() for name, secret in pairs if name.strip() and secret.strip()
    }


def service_authenticate(authorization: str) -> str:
    """The client name of a valid `Authorization: Basic` credential, or InvalidClient."""
    scheme, _, encoded = authorization.partition(" ")
    if scheme.lower() != "basic" or not encoded:
        raise InvalidClient()
    try:
        name, _, secret = base64.b64decode(encoded, validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        raise InvalidClient() from None
    expected = _clients().get(name)
    # Compared even when the name is unknown, so the answer takes the same time.
    if not hmac.compare_digest((expected or "\0").encode(), secret.encode()) or expected is None:
        raise InvalidClient()
    return name


def token_introspect(*, token: str) -> dict:
    """`{active: true, ...claims}` for a valid access token of a live sign-in, else
    `{active: false}` (expired, forged, another token type, or its sign-in ended)."""
    try:
        claims = decode_access_token(token)
    except BadToken:
        return INACTIVE
    live = SignIn.objects.filter(
        pk=claims.sid, revoked_at__isnull=True, expires_at__gt=clock.now()
    ).exists()
    if not live:
        return INACTIVE
    return {
        "active": True,
        "token_type": "access_token",
        "sub": claims.user_id,
        "sid": claims.sid,
        "role": claims.role,
        "email": claims.email,
        "emailVerified": claims.email_verified,
        "authTime": datetime_to_epoch(claims.auth_time) if claims.auth_time else None,
        "exp": datetime_to_epoch(claims.expires_at),
        "iss": settings.JWT_ISSUER,
        "aud": settings.JWT_AUDIENCE,
    }
