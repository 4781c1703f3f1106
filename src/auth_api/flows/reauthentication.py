"""Step-up: sensitive actions need a recent proof of the owner in this sign-in.

The access token's `authTime` is when the password, a code, a TOTP code or a passkey was last
proven in its sign-in (sign-in, or POST reauthenticate/). Within REAUTH_WINDOW_SECONDS it is fresh.
"""

from django.conf import settings
from django.db import transaction

import clock
from auth_api import security_events
from auth_api.authentication import Principal
from auth_api.client import ClientInfo
from auth_api.codes.process import EmailCode
from auth_api.codes.types import CodeType
from auth_api.errors import (
    InvalidOtp,
    InvalidPasskey,
    InvalidTwoFactorCode,
    PasskeyRejected,
    ReauthenticationRequired,
)
from auth_api.factors import passkeys, totp
from auth_api.flows.sign_ins import sign_in_current
from auth_api.limits import guard, rates
from auth_api.limits.rates import Scope
from auth_api.models import RevokeReason, SecurityEventType, SignIn
from auth_api.tokens.sign_ins import IssuedTokens, sign_in_auth_time_renew, sign_in_revoke
from users.errors import InvalidPassword
from users.models import User


def is_fresh(principal: Principal) -> bool:
    auth_time = principal.claims.auth_time
    return auth_time is not None and (clock.now() - auth_time).total_seconds() <= (
        settings.REAUTH_WINDOW_SECONDS
    )


def require_fresh(principal: Principal) -> None:
    if not is_fresh(principal):
        raise ReauthenticationRequired()


def sign_in_reauthenticate(
    *,
    principal: Principal,
    password: str | None = None,
    code: str | None = None,
    totp_code: str | None = None,
    credential: dict | None = None,
    client: ClientInfo,
) -> IssuedTokens:
    """A fresh proof of the owner (the password, a `reauthentication` code, a TOTP code or a
    passkey): new tokens whose `authTime` is now."""
    user, sign_in = sign_in_current(principal=principal)
    if password is not None:
        current_password_check(user=user, sign_in_id=sign_in.id, password=password, client=client)
    elif totp_code is not None:
        # A stolen access token is no TOTP oracle: an untrusted guess on the account's budget.
        if totp.check(user_id=user.pk, code=totp_code, trusted=False) is not totp.Verdict.ACCEPTED:
            _step_up_failed(user=user, sign_in_id=sign_in.id, client=client, password=False)
            raise InvalidTwoFactorCode()
        _step_up_succeeded(sign_in_id=sign_in.id)
    elif credential is not None:
        try:
            passkeys.authenticate(
                credential=credential, binding=client.passkey_token or "", user_id=user.pk
            )
        except InvalidPasskey:
            _step_up_failed(user=user, sign_in_id=sign_in.id, client=client, password=False)
            raise PasskeyRejected() from None
        _step_up_succeeded(sign_in_id=sign_in.id)
    else:
        step_up = EmailCode(email=user.email, type=CodeType.REAUTHENTICATION, client=client)
        try:
            step_up.check(code or "", consume=True)
        except InvalidOtp:
            _step_up_failed(user=user, sign_in_id=sign_in.id, client=client)
            raise
        _step_up_succeeded(sign_in_id=sign_in.id)
    with transaction.atomic():
        security_events.record(
            user_id=user.pk, type=SecurityEventType.REAUTHENTICATED, client=client
        )
        return sign_in_auth_time_renew(user=user, sign_in=sign_in)


def current_password_check(
    *, user: User, sign_in_id: str | None, password: str, client: ClientInfo
) -> None:
    """The owner's password asked again inside a sign-in (step-up, password change), so that a
    stolen access token is no password oracle: failures only spend the account's budget
    (PASSWORD_CHANGE_USER), each is a security event, and STEP_UP_MAX_FAILURES in a row end the
    sign-in (`sign_in_id`; None for a page's session, which its page counts and ends itself).
    Raises InvalidPassword."""
    spent = rates.hit(Scope.PASSWORD_CHANGE_USER, user.pk)
    if not user.check_password(password):
        _step_up_failed(user=user, sign_in_id=sign_in_id, client=client)
        raise InvalidPassword()
    rates.refund([spent])
    _step_up_succeeded(sign_in_id=sign_in_id)


def _step_up_failed(
    *, user: User, sign_in_id: str | None, client: ClientInfo, password: bool = True
) -> None:
    # The account's password budget too: a wrong password here is as much a guess as at sign-in.
    if password:
        guard.record_untrusted_failure(email=user.email)
    with transaction.atomic():
        security_events.record(
            user_id=user.pk, type=SecurityEventType.STEP_UP_FAILED, client=client
        )
        if sign_in_id is None:
            return
        row = SignIn.objects.select_for_update().filter(pk=sign_in_id).first()
        if row is None:
            return
        row.step_up_failures += 1
        row.save(update_fields=["step_up_failures"])
        if row.step_up_failures >= settings.STEP_UP_MAX_FAILURES:
            sign_in_revoke(
                sign_in_id=sign_in_id, user_id=user.pk, reason=RevokeReason.STEP_UP_FAILED
            )


def _step_up_succeeded(*, sign_in_id: str | None) -> None:
    if sign_in_id is None:
        return
    SignIn.objects.filter(pk=sign_in_id, step_up_failures__gt=0).update(step_up_failures=0)
