"""The one sign-in pipeline: every path that signs someone in (password, code, link, first proof
of an address) identifies the user and checks its own proof, then hands over here for the stages
every path shares, so a rule added to a stage holds on every path at once:

1. second factor (to come: a pending sign-in instead of tokens when the account has one),
2. trust the device and issue the tokens (`tokens.sign_ins.sign_in_start`),
3. record the security event and tell the app's code (`user_signed_in`),

all in one transaction. A check copied into each flow instead is a bug waiting for the next path.
Sign-up is the one other start of a sign-in: a new account has no second factor to ask for.
"""

from dataclasses import dataclass
from enum import StrEnum

from django.db import transaction

from auth_api import security_events, signals
from auth_api.client import ClientInfo
from auth_api.models import SecurityEventType
from auth_api.tokens.sign_ins import IssuedTokens, sign_in_start
from users.models import User


class SignInMethod(StrEnum):
    """How the user proved it (the `method` of `user_signed_in`)."""

    PASSWORD = "password"  # noqa: S105 - a method's name, not a secret
    CODE = "code"  # an emailed code, or the link of the same mail

    @property
    def amr(self) -> tuple[str, ...]:
        """The access token's RFC 8176 `amr`: a password, or a one-time password by mail."""
        return ("pwd",) if self is SignInMethod.PASSWORD else ("otp",)


@dataclass(frozen=True)
class Proof:
    method: SignInMethod
    event: SecurityEventType  # what the owner reads in the security activity


def sign_in_complete(
    *, user: User, proof: Proof, remember_me: bool, client: ClientInfo
) -> IssuedTokens:
    """The stages after a path's own proof: tokens for a trusted client, recorded and told."""
    with transaction.atomic():
        tokens = sign_in_start(
            user=user, remember_me=remember_me, client=client, amr=proof.method.amr
        )
        security_events.record(user_id=user.pk, type=proof.event, client=client)
        signals.user_signed_in.send(
            sender=type(user), user=user, sign_in_id=tokens.sign_in.pk, method=proof.method.value
        )
    return tokens
