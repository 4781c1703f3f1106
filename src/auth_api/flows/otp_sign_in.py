from django.db import transaction

from users.models import Role, User
from users.selectors import user_get_by_email
from users.services import user_create, user_mark_verified

from ..errors import InvalidOtp
from ..http import ClientInfo
from ..models import RevokeReason
from ..otp import OtpType, otp_verify
from ..sessions.sign_ins import IssuedTokens, sign_in_start, sign_ins_revoke_all
from .otp_limits import count_code_guess


def otp_sign_in(
    *,
    email: str,
    code: str,
    name: str | None,
    role: str | None,
    remember_me: bool,
    client: ClientInfo,
) -> IssuedTokens:
    count_code_guess(email=email, client=client)
    otp_verify(email=email, otp_type=OtpType.SIGN_IN, code=code, consume=True)
    with transaction.atomic():
        user = _account_for(email=email, name=name, role=role)
        return sign_in_start(user=user, remember_me=remember_me, client=client)


def _account_for(*, email: str, name: str | None, role: str | None) -> User:
    user = user_get_by_email(email=email)
    if user is None:  # sign-up by code: verified, no password
        return user_create(
            email=email,
            password=None,
            name=name or "",
            role=role or Role.STUDENT,
            email_verified=True,
        )
    if not user.is_active:
        raise InvalidOtp()
    if not user.email_verified:
        # Whoever set this password never proved the address: it may be an attacker's
        # pre-registration. Drop it and end its sign-ins before trusting the account.
        user_mark_verified(user=user, drop_password=True)
        sign_ins_revoke_all(user_id=user.pk, reason=RevokeReason.EMAIL_CLAIMED)
    return user
