"""Step-up: sensitive actions need a recent proof of the owner in this sign-in.

The access token's `authTime` is when the password or a code was last proven in its sign-in
(sign-in, or POST reauthenticate/). Within REAUTH_WINDOW_SECONDS it counts as fresh.
"""

from collections.abc import Callable
from datetime import datetime

from django.conf import settings
from django.utils import timezone

from auth_api.authentication import Principal
from auth_api.errors import ReauthenticationRequired

# The clock, replaceable in tests (like otp.new_code).
now: Callable[[], datetime] = timezone.now


def is_fresh(principal: Principal) -> bool:
    auth_time = principal.claims.auth_time
    return auth_time is not None and (now() - auth_time).total_seconds() <= (
        settings.REAUTH_WINDOW_SECONDS
    )


def require_fresh(principal: Principal) -> None:
    if not is_fresh(principal):
        raise ReauthenticationRequired()
