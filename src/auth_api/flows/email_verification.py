from django.db import transaction

from auth_api import signals
from auth_api.client import ClientInfo
from auth_api.codes.process import EmailCode
from auth_api.codes.types import CodeType
from auth_api.errors import InvalidOtp
from auth_api.flows.sign_in_by_code import sign_in_proven
from auth_api.tokens.pending import SignInOutcome
from users.models import User
from users.selectors import user_get_by_email
from users.services import user_mark_verified


def email_verify_by_code(
    *, email: str, code: str, client: ClientInfo, signed_in_as: str | None
) -> User | SignInOutcome:
    """Prove an address with an `email-verification` code.

    Called with the Bearer token of the account the address belongs to, this only marks it
    verified. Without it, the first proof of the address is handled as a code sign-in: a password
    nobody proved may be an attacker's pre-registration, so it becomes unusable, the account's
    sign-ins end, and the caller (who holds the mailbox) is signed in.
    """
    EmailCode(email=email, type=CodeType.EMAIL_VERIFICATION, client=client).check(
        code, consume=True
    )
    user = user_get_by_email(email=email)
    if user is None or not user.is_active:
        raise InvalidOtp()
    return email_proven(user=user, client=client, signed_in_as=signed_in_as)


def email_proven(
    *, user: User, client: ClientInfo, signed_in_as: str | None
) -> User | SignInOutcome:
    """The address of `user` is proven (by code or link): verified for its signed-in owner, else
    the first proof of the address signs the prover in."""
    email = user.email
    if signed_in_as == user.pk:
        with transaction.atomic():
            user_mark_verified(user=user)
            signals.email_verified.send(sender=type(user), user=user)
            return user
    return sign_in_proven(email=email, name=None, role=None, remember_me=True, client=client)
