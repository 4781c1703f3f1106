"""One-click links (email-link/…): the unguessable proof every code mail carries.

A link does what the code of the same mail does, from any browser (the owner reads mail on a
phone), and needs no budget: it is judged before any, whatever strangers spent. Its success is
the owner's proof: a sign-in by link reopens what strangers closed and trusts the device, like a
code sign-in. Using it uses the code up, and a new code or an expired one ends it.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction

from auth_api import security_events
from auth_api.authentication import Principal
from auth_api.client import ClientInfo
from auth_api.codes import store
from auth_api.codes.types import CodeType
from auth_api.errors import InvalidLink, InvalidOtp
from auth_api.flows.email_change import email_change_complete, email_change_undo
from auth_api.flows.email_verification import email_proven
from auth_api.flows.sign_in_by_code import sign_in_proven
from auth_api.flows.sign_ins import sign_in_current
from auth_api.models import OneTimeCode, SecurityEventType
from auth_api.tokens.claims import mint_password_reset_token
from auth_api.tokens.pending import SignInOutcome
from auth_api.tokens.sign_ins import sign_in_auth_time_renew
from users.models import User
from users.selectors import user_get, user_get_by_email


@dataclass(frozen=True)
class LinkOutcome:
    tokens: SignInOutcome | None = None  # signed in (or a second step asked for)
    user: User | None = None  # an address verified for its signed-in owner
    reset_token: str | None = None  # a forgotten password's reset token
    # none of them: `{success: true}`


def email_link_verify(
    *, token: str, client: ClientInfo, principal: Principal | None
) -> LinkOutcome:
    with transaction.atomic():
        row = store.locked_link(token)
        if row is None:
            raise InvalidLink()
        store.code_use_up(row)  # an error below rolls it back: the link stays usable
        outcome = _OUTCOMES[CodeType(row.type)](row, client, principal)
    return outcome


def _active(user: User | None) -> User:
    if user is None or not user.is_active:
        raise InvalidLink()
    return user


def _sign_in(row: OneTimeCode, client: ClientInfo, principal: Principal | None) -> LinkOutcome:
    try:
        tokens = sign_in_proven(
            email=row.email, name=None, role=None, remember_me=True, client=client
        )
    except InvalidOtp:  # a deactivated account: the link's own refusal, not a code's
        raise InvalidLink() from None
    return LinkOutcome(tokens=tokens)


def _verification(row: OneTimeCode, client: ClientInfo, principal: Principal | None):
    user = _active(user_get_by_email(email=row.email))
    proven = email_proven(
        user=user, client=client, signed_in_as=principal.id if principal else None
    )
    if isinstance(proven, User):
        return LinkOutcome(user=proven)
    return LinkOutcome(tokens=proven)


def _forgotten_password(row: OneTimeCode, client: ClientInfo, principal: Principal | None):
    user = _active(user_get_by_email(email=row.email))
    return LinkOutcome(reset_token=mint_password_reset_token(user=user))


def _step_up(row: OneTimeCode, client: ClientInfo, principal: Principal | None):
    if principal is None:
        raise InvalidLink()
    user, sign_in = sign_in_current(principal=principal)
    if user.email != row.email:
        raise InvalidLink()
    security_events.record(user_id=user.pk, type=SecurityEventType.REAUTHENTICATED, client=client)
    return LinkOutcome(tokens=sign_in_auth_time_renew(user=user, sign_in=sign_in))


def _email_change(row: OneTimeCode, client: ClientInfo, principal: Principal | None):
    user = _active(user_get(user_id=row.account_id))
    email_change_complete(user=user, new_email=row.email, client=client, keep=None)
    return LinkOutcome()


def _email_change_undo(row: OneTimeCode, client: ClientInfo, principal: Principal | None):
    email_change_undo(
        user_id=row.account_id, old_email=row.email, issued_at=row.created_at, client=client
    )
    return LinkOutcome()


_OUTCOMES: dict[CodeType, Callable[[OneTimeCode, ClientInfo, Principal | None], LinkOutcome]] = {
    CodeType.SIGN_IN: _sign_in,
    CodeType.EMAIL_VERIFICATION: _verification,
    CodeType.FORGET_PASSWORD: _forgotten_password,
    CodeType.REAUTHENTICATION: _step_up,
    CodeType.EMAIL_CHANGE: _email_change,
    CodeType.EMAIL_CHANGE_UNDO: _email_change_undo,
}
