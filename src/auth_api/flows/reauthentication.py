"""Step-up: sensitive actions need a recent proof of the owner in this sign-in.

The access token's `authTime` is when the password or a code was last proven in its sign-in
(sign-in, or POST reauthenticate/). Within REAUTH_WINDOW_SECONDS it is fresh.
"""

from django.conf import settings
from django.db import transaction

import clock
from auth_api import security_events
from auth_api.authentication import Principal
from auth_api.client import ClientInfo
from auth_api.codes.process import EmailCode
from auth_api.codes.types import CodeType
from auth_api.errors import ReauthenticationRequired
from auth_api.flows.sign_ins import sign_in_current
from auth_api.limits import rates
from auth_api.limits.rates import Scope
from auth_api.models import SecurityEventType
from auth_api.tokens.sign_ins import IssuedTokens, sign_in_auth_time_renew
from users.errors import InvalidPassword


def is_fresh(principal: Principal) -> bool:
    auth_time = principal.claims.auth_time
    return auth_time is not None and (clock.now() - auth_time).total_seconds() <= (
        settings.REAUTH_WINDOW_SECONDS
    )


def require_fresh(principal: Principal) -> None:
    if not is_fresh(principal):
        raise ReauthenticationRequired()


def sign_in_reauthenticate(
    *, principal: Principal, password: str | None, code: str | None, client: ClientInfo
) -> IssuedTokens:
    """A fresh proof of the owner (the password, or a `reauthentication` code): new tokens whose
    `authTime` is now."""
    user, sign_in = sign_in_current(principal=principal)
    if password is not None:
        rates.hit(Scope.PASSWORD_CHANGE_USER, user.pk)  # a stolen token is no guessing oracle
        if not user.check_password(password):
            raise InvalidPassword()
    else:
        step_up = EmailCode(email=user.email, type=CodeType.REAUTHENTICATION, client=client)
        step_up.check(code or "", consume=True)
    with transaction.atomic():
        security_events.record(
            user_id=user.pk, type=SecurityEventType.REAUTHENTICATED, client=client
        )
        return sign_in_auth_time_renew(user=user, sign_in=sign_in)
