"""Change of the account's email address: a code to the new address proves it.

The request answers the same whether the new address is free or already has an account (no
enumeration): in both cases a code row is written and two messages are queued, the second being
a code (free) or a "this address already has an account" mail (taken) with no usable code. The
code is bound to the requesting user and client, so it confirms nothing for anyone else.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction

from auth_api import security_events, signals
from auth_api.authentication import Principal
from auth_api.client import ClientInfo
from auth_api.codes.process import EmailCode, link_url
from auth_api.codes.store import code_issue, undos_after_end
from auth_api.codes.types import CodeType
from auth_api.errors import InvalidLink
from auth_api.flows.account_mail import account_notice
from auth_api.flows.reauthentication import require_fresh
from auth_api.flows.sign_ins import account_secured, sign_in_current
from auth_api.flows.two_factor import second_factors_drop
from auth_api.limits.rates import Scope
from auth_api.models import RevokeReason, SecurityEventType
from auth_api.tokens.code_flows import new_flow_id
from auth_api.tokens.sign_ins import IssuedTokens, sign_in_reissue
from emailing.models import EmailKind
from emailing.services import email_enqueue
from users.models import User
from users.selectors import user_email_taken
from users.services import user_change_email, user_reset_required


def _new_address_code(*, user_id: str, new_email: str, client: ClientInfo) -> EmailCode:
    return EmailCode(email=new_email, type=CodeType.EMAIL_CHANGE, client=client, account_id=user_id)


def email_change_request(*, principal: Principal, new_email: str, client: ClientInfo) -> str:
    """Queue the code (or the "taken" mail) and the notice to the old address; the client's flow."""
    require_fresh(principal)
    user, _ = sign_in_current(principal=principal)
    # Throwaway accounts must not flood a mailbox: the new address's caps count too, one for the
    # code and the "taken" notice alike (what it answers never says which one was sent), and
    # never the address's own ceilings (its owner can sign in with no link of these mails).
    code = _new_address_code(user_id=user.pk, new_email=new_email, client=client)
    taken = new_email == user.email or user_email_taken(email=new_email)
    flow_id = code.admit(ceiling=Scope.NOTICE_SEND_ADDRESS)
    with transaction.atomic():
        code.issue_and_mail(flow_id, message=EmailKind.EMAIL_CHANGE_TAKEN if taken else None)
        account_notice(user=user, kind=EmailKind.EMAIL_CHANGE_NOTICE)
    return flow_id


def email_change_confirm(
    *, principal: Principal, new_email: str, code: str, client: ClientInfo
) -> IssuedTokens:
    require_fresh(principal)
    user, sign_in = sign_in_current(principal=principal)
    _new_address_code(user_id=user.pk, new_email=new_email, client=client).check(code, consume=True)
    with transaction.atomic():
        email_change_complete(user=user, new_email=new_email, client=client, keep=sign_in.id)
        return sign_in_reissue(user=user, sign_in=sign_in)


def email_change_complete(
    *, user: User, new_email: str, client: ClientInfo, keep: str | None
) -> None:
    """The new address is proven (code or link): it becomes the account's, every other sign-in
    and every trusted device ends, and the old address is told, with a link to undo it for
    EMAIL_CHANGE_UNDO_DAYS (a stolen access token that moved the account is not the last word).
    Inside the caller's transaction."""
    old_email = user.email
    user_change_email(user=user, new_email=new_email)
    account_secured(user_id=user.pk, email=old_email, reason=RevokeReason.EMAIL_CHANGED, keep=keep)
    security_events.record(user_id=user.pk, type=SecurityEventType.EMAIL_CHANGED, client=client)
    undo = code_issue(
        email=old_email,
        type=CodeType.EMAIL_CHANGE_UNDO,
        flow_id=new_flow_id(),
        account_id=user.pk,
        ttl=timedelta(days=settings.EMAIL_CHANGE_UNDO_DAYS),
        link_only=True,
    )
    email_enqueue(
        kind=EmailKind.EMAIL_CHANGED,
        to_email=old_email,
        secrets={"link": link_url(undo.link_token), "new_email": new_email},
        expires_at=undo.expires_at,
    )
    signals.email_changed.send(sender=type(user), user=user, old_email=old_email)
    signals.email_verified.send(sender=type(user), user=user)


def email_change_undo(
    *, user_id: str, old_email: str, issued_at: datetime, client: ClientInfo
) -> None:
    """The old address's owner says it was not them: the account gets that address back, every
    sign-in, trusted device and pending proof ends, the undo links of later changes die (a thief
    who chained changes holds one), second factors and passkeys go (a thief who held the account
    may have set them: their passkey would sign in, their TOTP would keep the owner out), and the
    password is made unusable, so a new one is chosen by a reset through this address. Inside the
    caller's transaction."""
    user = User.objects.select_for_update().filter(pk=user_id).first()
    if user is None or not user.is_active:
        raise InvalidLink()
    moved_to = user.email
    if moved_to != old_email:
        user_change_email(user=user, new_email=old_email)  # UserAlreadyExists if taken since
    user_reset_required(user=user)
    second_factors_drop(user=user)
    undos_after_end(user_id=user.pk, issued_at=issued_at)
    account_secured(user_id=user.pk, email=moved_to, reason=RevokeReason.EMAIL_CHANGED)
    security_events.record(
        user_id=user.pk, type=SecurityEventType.EMAIL_CHANGE_UNDONE, client=client
    )
    signals.email_changed.send(sender=type(user), user=user, old_email=moved_to)
