from dataclasses import dataclass

from django.conf import settings
from django.db import transaction

from auth_api import security_events, signals
from auth_api.client import ClientInfo
from auth_api.codes.clients import code_client
from auth_api.codes.process import OtpType
from auth_api.errors import TooManyRequests
from auth_api.flows.code_send import code_issue_and_mail
from auth_api.limits import rates
from auth_api.models import SecurityEventKind
from auth_api.tokens.code_flows import new_flow_id
from auth_api.tokens.sign_ins import IssuedTokens, sign_in_start
from users.models import User
from users.passwords import validate_new_password
from users.services import user_create


@dataclass(frozen=True)
class SignedUp:
    tokens: IssuedTokens
    # The code flow of the email-verification code mailed at sign-up (None when that is off).
    flow_id: str | None


def sign_up_with_password(
    *, email: str, password: str, name: str, role: str, remember_me: bool, client: ClientInfo
) -> SignedUp:
    rates.hit("sign_up_ip", client.limit_key)
    # The password's rules first: a stranger's junk attempts (a short or common password) must
    # not spend the sign-ups of an address nobody holds yet, locking its owner out of sign-up.
    validate_new_password(password, user=User(email=email, name=name, role=role))
    rates.hit("sign_up_email", email)
    with transaction.atomic():
        user = user_create(email=email, password=password, name=name, role=role)
        signals.user_signed_up.send(sender=type(user), user=user)
        security_events.record(user_id=user.pk, kind=SecurityEventKind.SIGNED_UP, client=client)
        tokens = sign_in_start(user=user, remember_me=remember_me, client=client)
        flow_id = None
        if settings.SEND_VERIFICATION_ON_SIGN_UP and _mail_allowed(user.email):
            # Bound to this client, like a code it asked for (it keeps its flow if it has one).
            flow_id = code_client(email=user.email, client=client).flow_id or new_flow_id()
            code_issue_and_mail(
                email=user.email, otp_type=OtpType.EMAIL_VERIFICATION, flow_id=flow_id
            )
        return SignedUp(tokens=tokens, flow_id=flow_id)


def _mail_allowed(email: str) -> bool:
    """The sign-up's code counts against the address's mail ceiling, like any code sent to it
    (sign-up then delete, again and again, must not flood a mailbox); over it, the account is
    still made and no code goes out (its owner asks for one later)."""
    try:
        rates.hit("otp_send_address", email)
    except TooManyRequests:
        return False
    return True
