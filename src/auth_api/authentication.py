"""Bearer access-token authentication that never queries the database per request.

The token is verified with the key ring (cached per process), then its sign-in is looked up in the
process's set of recently revoked sign-ins (refreshed at most once a second, see revocations).
Every refusal is DRF's AuthenticationFailed, which the exception handler answers as 401
TOKEN_INVALID with the registry's message (auth_api.errors): no text is written here."""

from dataclasses import dataclass

from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request

from auth_api.tokens import revocations
from auth_api.tokens.claims import AccessClaims, BadToken, decode_access_token


@dataclass(frozen=True)
class Principal:
    """The caller as the access token describes it (no database row behind it)."""

    claims: AccessClaims
    is_authenticated: bool = True
    is_anonymous: bool = False

    @property
    def id(self) -> str:
        return self.claims.user_id

    @property
    def pk(self) -> str:
        return self.claims.user_id


def principal_of(request: Request) -> Principal:
    """The caller of a Bearer-only view (its permission class already refused anyone else)."""
    principal = request.user
    if not isinstance(principal, Principal):
        raise AuthenticationFailed
    return principal


def optional_principal(request: Request) -> Principal | None:
    """The caller when it sent a valid Bearer token, else None (an invalid one is already a 401)."""
    principal = request.user
    return principal if isinstance(principal, Principal) else None


class AccessTokenAuthentication(BaseAuthentication):
    def authenticate(self, request):
        parts = request.META.get("HTTP_AUTHORIZATION", "").split()
        if not parts or parts[0].lower() != "bearer":
            return None
        if len(parts) != 2:
            raise AuthenticationFailed
        try:
            claims = decode_access_token(parts[1].encode("ascii").decode("ascii"))
        except (BadToken, UnicodeError):
            # One code for every failure: the client learns nothing about why.
            raise AuthenticationFailed from None
        if revocations.is_revoked(claims.sid):
            raise AuthenticationFailed
        return Principal(claims), claims

    def authenticate_header(self, request) -> str:
        return 'Bearer realm="api"'
