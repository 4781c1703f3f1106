"""Signing up with email and password (sign-up/): the account, its first sign-in, and a code
to verify the address."""

from dataclasses import dataclass

from django.conf import settings
from django.db import transaction

from auth_api import security_events, signals
from auth_api.client import ClientInfo
from auth_api.codes.process import EmailCode
from auth_api.codes.store import address_reserved
from auth_api.codes.types import CodeType
from auth_api.errors import TooManyRequests
from auth_api.limits import rates
from auth_api.limits.rates import Scope
from auth_api.models import SecurityEventType
from auth_api.tokens.sign_ins import IssuedTokens, sign_in_start
from users.errors import UserAlreadyExists
from users.models import User
from users.passwords import validate_new_password
from users.services import user_create


@dataclass(frozen=True)
class SignedUp:
    tokens: IssuedTokens
    # The flow of the email-verification code mailed at sign-up (None when none was sent).
    flow_id: str | None


def sign_up_by_password(
    *, email: str, password: str, name: str, role: str, remember_me: bool, client: ClientInfo
) -> SignedUp:
    spent = rates.hit(Scope.SIGN_UP_IP, client.limit_key)
    # The password's rules first: a stranger's junk attempts (a short or common password) must
    # not spend the sign-ups of an address nobody holds yet, locking its owner out of sign-up.
    validate_new_password(password, user=User(email=email, name=name, role=role))
    try:
        rates.hit(Scope.SIGN_UP_EMAIL, email)
    except TooManyRequests:  # refused: counted on no limit (see rates)
        rates.refund([spent])
        raise
    if address_reserved(email=email):  # an account moved away may still undo the move
        raise UserAlreadyExists()
    with transaction.atomic():
        user = user_create(email=email, password=password, name=name, role=role)
        signals.user_signed_up.send(sender=type(user), user=user)
        security_events.record(user_id=user.pk, type=SecurityEventType.SIGNED_UP, client=client)
        tokens = sign_in_start(user=user, remember_me=remember_me, client=client)
        flow_id = None
        if settings.SEND_VERIFICATION_ON_SIGN_UP:
            # Bound to this client like a code it asked for, and under the address's mail ceiling
            # (sign-up then delete, again and again, must not flood a mailbox): over it the
            # account is still made and no code goes out (its owner asks for one later).
            verification = EmailCode(
                email=user.email, type=CodeType.EMAIL_VERIFICATION, client=client
            )
            flow_id = verification.send_unasked()
        return SignedUp(tokens=tokens, flow_id=flow_id)
