"""Bearer access-token authentication that never queries the database."""

from dataclasses import dataclass

from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed

from .tokens import AccessClaims, BadToken, decode_access_token


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


class AccessTokenAuthentication(BaseAuthentication):
    keyword = b"bearer"

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword:
            return None
        if len(parts) != 2:
            raise AuthenticationFailed("Malformed Authorization header.")
        try:
            claims = decode_access_token(parts[1].decode("ascii"))
        except (BadToken, UnicodeDecodeError):
            # One message for every failure: the client learns nothing about why.
            raise AuthenticationFailed("The access token is invalid or expired.") from None
        return Principal(claims), claims

    def authenticate_header(self, request) -> str:
        return 'Bearer realm="api"'
