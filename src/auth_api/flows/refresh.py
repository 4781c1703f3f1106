"""Refreshing: a refresh token traded for new tokens of the same sign-in (see tokens.sign_ins
for rotation and reuse detection); the claims are read afresh from the database."""

from auth_api.tokens.sign_ins import IssuedTokens, sign_in_rotate


def sign_in_refresh(*, raw_token: str | None) -> IssuedTokens:
    return sign_in_rotate(raw_token=raw_token)
