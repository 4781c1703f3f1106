from django.db import transaction

from auth_api import security_events, signals
from auth_api.client import ClientInfo
from auth_api.codes.process import EmailCode
from auth_api.codes.types import CodeType
from auth_api.errors import InvalidOtp, InvalidToken
from auth_api.flows.sign_ins import account_secured
from auth_api.flows.two_factor import second_factors_drop
from auth_api.limits import guard
from auth_api.models import RevokeReason, SecurityEventType
from auth_api.tokens.claims import (
    BadToken,
    decode_password_reset_token,
    mint_password_reset_token,
    password_reset_token_matches,
)
from emailing.models import EmailKind
from emailing.services import email_enqueue
from users.models import User
from users.passwords import validate_new_password
from users.selectors import user_get_by_email
from users.services import user_reset_password


def password_reset_begin(*, email: str, code: str, client: ClientInfo) -> str:
    """Trade a forget-password code for a short-lived, single-use reset token."""
    EmailCode(email=email, type=CodeType.FORGET_PASSWORD, client=client).check(code, consume=True)
    user = user_get_by_email(email=email)
    if user is None or not user.is_active:
        raise InvalidOtp()
    return mint_password_reset_token(user=user)


def password_reset_by_token(*, reset_token: str, password: str, client: ClientInfo) -> None:
    try:
        user_id, fingerprint = decode_password_reset_token(reset_token)
    except BadToken:
        raise InvalidToken() from None
    with transaction.atomic():
        user = User.objects.select_for_update().filter(pk=user_id, is_active=True).first()
        if user is None or not password_reset_token_matches(user, fingerprint):
            raise InvalidToken()
        _complete(user=user, password=password, client=client)


def password_reset_by_code(*, email: str, code: str, password: str, client: ClientInfo) -> None:
    reset_code = EmailCode(email=email, type=CodeType.FORGET_PASSWORD, client=client)
    # The code first: judging the password against the account's name or email before the caller
    # has proven the code would tell a stranger whether (and as whom) the address is registered.
    reset_code.check(code, consume=False)
    user = user_get_by_email(email=email)
    if user is None or not user.is_active:
        raise InvalidOtp()
    validate_new_password(password, user=user)  # a rejected password leaves the code usable
    reset_code.check(code, consume=True)
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        _complete(user=locked, password=password, client=client)


def _complete(*, user: User, password: str, client: ClientInfo) -> None:
    if not user.email_verified:
        # The first proof of the address: second factors set by whoever never proved it (an
        # attacker's pre-registration) go, or the owner would be locked out behind them. Proven
        # owners keep theirs: a reset never bypasses a second factor (ASVS 6.4.3).
        second_factors_drop(user=user)
    user_reset_password(user=user, new_password=password)
    account_secured(user_id=user.pk, email=user.email, reason=RevokeReason.PASSWORD_RESET)
    guard.owner_proven(email=user.email)
    security_events.record(user_id=user.pk, type=SecurityEventType.PASSWORD_RESET, client=client)
    signals.password_changed.send(sender=type(user), user=user, how="reset")
    email_enqueue(
        kind=EmailKind.PASSWORD_CHANGED,
        to_email=user.email,
        secrets={"how": "reset", "others_ended": True},
    )
