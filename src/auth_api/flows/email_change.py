"""Change of the account's email address: a code to the new address proves it.

The request answers the same whether the new address is free or already has an account (no
enumeration): in both cases a code row is written and two messages are queued, the second being
a code (free) or a "this address already has an account" mail (taken) with no usable code. The
code is bound to the requesting user and client, so it confirms nothing for anyone else.
"""

from django.db import transaction
from django.utils.crypto import salted_hmac

from auth_api import security_events, signals
from auth_api.authentication import Principal
from auth_api.client import ClientInfo
from auth_api.codes.clients import guessing_client
from auth_api.codes.process import OtpType, otp_issue, otp_verify
from auth_api.flows.reauthentication import require_fresh
from auth_api.flows.sign_ins import current_session
from auth_api.limits import rates
from auth_api.models import RevokeReason, SecurityEventKind
from auth_api.tokens.code_flows import flow_id_of, new_flow_id
from auth_api.tokens.sign_ins import IssuedTokens, sign_in_reissue, sign_ins_revoke_all
from emailing.models import EmailKind
from emailing.services import email_enqueue
from users.selectors import user_email_taken
from users.services import user_change_email


def _binding(user_id: str, flow_id: str) -> str:
    return salted_hmac("auth_api.email-change", f"{user_id}\n{flow_id}").hexdigest()[:32]


def email_change_request(*, principal: Principal, new_email: str, client: ClientInfo) -> str:
    """Queue the code (or the "taken" mail) and the notice to the old address; the client's flow."""
    require_fresh(principal)
    user, _ = current_session(principal=principal)
    rates.hit("otp_send_ip", client.limit_key)
    rates.hit("otp_send_address_client", f"{new_email}\n{user.pk}")
    # The new address's mail ceiling too: throwaway accounts must not flood someone's mailbox.
    rates.hit("otp_send_address", new_email)
    flow_id = flow_id_of(client.flow_token) or new_flow_id()
    taken = new_email == user.email or user_email_taken(email=new_email)
    with transaction.atomic():
        issued = otp_issue(
            email=new_email, otp_type=OtpType.EMAIL_CHANGE, flow_id=_binding(user.pk, flow_id)
        )
        email_enqueue(
            kind=EmailKind.EMAIL_CHANGE_TAKEN if taken else EmailKind.OTP_EMAIL_CHANGE,
            to_email=new_email,
            secrets={} if taken else {"code": issued.code},
            expires_at=issued.expires_at,
        )
        email_enqueue(kind=EmailKind.EMAIL_CHANGE_NOTICE, to_email=user.email)
    return flow_id


def email_change_confirm(
    *, principal: Principal, new_email: str, code: str, client: ClientInfo
) -> IssuedTokens:
    require_fresh(principal)
    user, sign_in = current_session(principal=principal)
    flow_id = guessing_client(email=new_email, client=client).flow_id
    otp_verify(
        email=new_email,
        otp_type=OtpType.EMAIL_CHANGE,
        code=code,
        consume=True,
        flow_id=_binding(user.pk, flow_id) if flow_id else None,
    )
    with transaction.atomic():
        old_email = user.email
        user_change_email(user=user, new_email=new_email)
        sign_ins_revoke_all(user_id=user.pk, reason=RevokeReason.EMAIL_CHANGED, keep=sign_in.id)
        security_events.record(user_id=user.pk, kind=SecurityEventKind.EMAIL_CHANGED, client=client)
        signals.email_changed.send(sender=type(user), user=user, old_email=old_email)
        signals.email_verified.send(sender=type(user), user=user)
        return sign_in_reissue(user=user, sign_in=sign_in)
