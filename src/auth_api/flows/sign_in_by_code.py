from django.db import transaction

from auth_api import signals
from auth_api.client import ClientInfo
from auth_api.codes.process import EmailCode
from auth_api.codes.store import address_reserved
from auth_api.codes.types import CodeType
from auth_api.errors import InvalidOtp
from auth_api.flows.sign_ins import account_secured
from auth_api.flows.signing_in import Proof, SignInMethod, sign_in_complete
from auth_api.flows.two_factor import second_factors_drop
from auth_api.limits import guard
from auth_api.models import RevokeReason, SecurityEventType
from auth_api.tokens.pending import SignInOutcome
from observability import metrics
from users.errors import DomainError, UserAlreadyExists
from users.models import Role, User
from users.selectors import user_get_by_email
from users.services import user_create, user_mark_verified

_BY_CODE = Proof(method=SignInMethod.CODE, event=SecurityEventType.SIGNED_IN_CODE)


def sign_in_by_code(
    *,
    email: str,
    code: str,
    name: str | None,
    role: str | None,
    remember_me: bool,
    client: ClientInfo,
) -> SignInOutcome:
    try:
        EmailCode(email=email, type=CodeType.SIGN_IN, client=client).check(code, consume=True)
        tokens = sign_in_proven(
            email=email, name=name, role=role, remember_me=remember_me, client=client
        )
    except DomainError as error:
        metrics.SIGN_INS.labels("code", error.code).inc()
        raise
    return tokens


def sign_in_proven(
    *, email: str, name: str | None, role: str | None, remember_me: bool, client: ClientInfo
) -> SignInOutcome:
    """Sign in whoever just proved the address with a code: its owner, so password sign-in
    reopens to new devices and the stranger's failures are forgotten."""
    with transaction.atomic():
        user = _account_for(email=email, name=name, role=role)
        tokens = sign_in_complete(user=user, proof=_BY_CODE, remember_me=remember_me, client=client)
    guard.owner_proven(email=email)
    metrics.SIGN_INS.labels("code", "success").inc()
    return tokens


def _account_for(*, email: str, name: str | None, role: str | None) -> User:
    user = user_get_by_email(email=email)
    if user is None:  # sign-up by code: verified, no password
        if address_reserved(email=email):  # an account moved away may still undo the move
            raise UserAlreadyExists()
        user = user_create(
            email=email,
            password=None,
            name=name or "",
            role=role or Role.STUDENT,
            email_verified=True,
        )
        signals.user_signed_up.send(sender=type(user), user=user)
        return user
    if not user.is_active:
        raise InvalidOtp()
    if not user.email_verified:
        # Whoever set this password (and any second factor or passkey) never proved the
        # address: it may be an attacker's pre-registration. Drop them and end its sign-ins
        # before trusting the account, or the attacker's TOTP would lock the owner out.
        user_mark_verified(user=user, drop_password=True)
        second_factors_drop(user=user)
        account_secured(user_id=user.pk, email=email, reason=RevokeReason.EMAIL_CLAIMED)
        signals.email_verified.send(sender=type(user), user=user)
    return user
