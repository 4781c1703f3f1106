from ..errors import InvalidRefreshToken
from ..sign_ins import IssuedTokens, sign_in_refresh, sign_in_revoke
from ..tokens import BadToken, decode_refresh_token


def refresh(*, raw_token: str | None) -> IssuedTokens:
    if not raw_token:
        raise InvalidRefreshToken()
    try:
        claims = decode_refresh_token(raw_token)
    except BadToken:
        raise InvalidRefreshToken() from None
    return sign_in_refresh(claims=claims)


def sign_out(*, raw_token: str | None) -> None:
    """End the sign-in the token belongs to. Idempotent: a missing or dead token is fine."""
    if not raw_token:
        return
    try:
        claims = decode_refresh_token(raw_token)
    except BadToken:
        return
    sign_in_revoke(sign_in_id=claims.sid, user_id=claims.user_id, reason="sign_out")
