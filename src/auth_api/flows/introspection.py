"""RFC 7662 token introspection for the app's other services (authenticated by a credential)."""

import base64
import hmac

from django.conf import settings
from rest_framework_simplejwt.utils import datetime_to_epoch

from auth_api.client import ClientInfo
from auth_api.errors import InvalidClient
from auth_api.limits import rates
from auth_api.limits.rates import Scope
from auth_api.tokens.claims import BadToken, decode_access_token
from auth_api.tokens.sign_ins import sign_in_with_user

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


def service_authenticate(*, authorization: str, client: ClientInfo) -> str:
    """The client name of a valid `Authorization: Basic` credential, or InvalidClient; failed
    credentials are budgeted per client address (TooManyRequests once over)."""
    # Counted before it is judged (parallel guesses cannot slip past the limit; over it, even the
    # right secret is refused, so the answer is no oracle); a right credential gives it back.
    spent = rates.hit(Scope.INTROSPECT_IP, client.limit_key)
    name = _credential_name(authorization)
    rates.refund([spent])
    return name


def _credential_name(authorization: str) -> str:
    scheme, _, encoded = authorization.partition(" ")
    if scheme.lower() != "basic" or not encoded:
        raise InvalidClient()
    try:
        name, _, secret = base64.b64decode(encoded, validate=True).decode().partition(":")
    except (ValueError, UnicodeDecodeError):  # binascii.Error, and non-ASCII text, are ValueErrors
        raise InvalidClient() from None
    expected = _clients().get(name)
    # Compared even when the name is unknown, so the answer takes the same time.
    if not hmac.compare_digest((expected or "\0").encode(), secret.encode()) or expected is None:
        raise InvalidClient()
    return name


def token_introspect(*, token: str) -> dict:
    """`{active: true, ...claims}` for a valid access token of a live sign-in of an active user,
    else `{active: false}` (expired, forged, another token type, its sign-in ended, or its user
    deactivated or deleted): the same check as GET session/."""
    try:
        claims = decode_access_token(token)
    except BadToken:
        return INACTIVE
    if sign_in_with_user(sign_in_id=claims.sid, user_id=claims.user_id) is None:
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
