"""Signing out: the sign-in of the refresh token ends (all its tokens), the app's code is told."""

from django.db import transaction

from auth_api import signals
from auth_api.tokens.sign_ins import sign_in_end
from users.selectors import user_get


def sign_in_end_by_token(*, raw_token: str | None) -> None:
    """Idempotent: a missing, dead or already-ended token changes nothing and raises nothing
    (sign-out works after the access token expired, and twice)."""
    with transaction.atomic():
        ended = sign_in_end(raw_token=raw_token)
        user = user_get(user_id=ended.user_id) if ended else None
        if ended and user is not None:
            signals.user_signed_out.send(sender=type(user), user=user, sign_in_id=ended.sid)
