from django.db import transaction

from auth_api.client import ClientInfo
from auth_api.codes.clients import code_client
from auth_api.codes.process import OtpType, otp_issue
from auth_api.limits import rates
from auth_api.tokens.code_flows import new_flow_id
from emailing.models import EmailKind
from emailing.services import email_enqueue

# (message kind, send only to an existing account)
_MESSAGES = {
    OtpType.SIGN_IN: (EmailKind.OTP_SIGN_IN, False),  # unknown emails may sign up by code
    OtpType.EMAIL_VERIFICATION: (EmailKind.OTP_EMAIL_VERIFICATION, True),
    OtpType.FORGET_PASSWORD: (EmailKind.OTP_FORGET_PASSWORD, True),
    OtpType.REAUTHENTICATION: (EmailKind.OTP_REAUTHENTICATION, True),
}


def otp_send(*, email: str, otp_type: OtpType, client: ClientInfo) -> str:
    """Issue a code bound to the client's flow and queue its email; return the flow id. The
    request does the same work for every address; whether the account exists is decided at
    delivery, off the request path (no enumeration by timing).

    Caps: per client address, per (address, client) and a per-address ceiling that bounds
    mailbox flooding; a trusted device of the account is under its own cap only, so strangers
    filling the ceiling never keep the owner's devices from getting a code."""
    rates.hit("otp_send_ip", client.limit_key)
    asking = code_client(email=email, client=client)
    rates.hit("otp_send_address_client", f"{email}\n{asking.device or client.limit_key}")
    if not asking.trusted:
        rates.hit("otp_send_address", email)
    flow_id = asking.flow_id or new_flow_id()
    with transaction.atomic():
        code_issue_and_mail(email=email, otp_type=otp_type, flow_id=flow_id)
    return flow_id


def code_issue_and_mail(*, email: str, otp_type: OtpType, flow_id: str) -> None:
    """A new code of `otp_type` for `flow_id` and its message queued (inside a transaction)."""
    kind, requires_user = _MESSAGES[otp_type]
    issued = otp_issue(email=email, otp_type=otp_type, flow_id=flow_id)
    email_enqueue(
        kind=kind,
        to_email=email,
        secrets={"code": issued.code},
        requires_user=requires_user,
        expires_at=issued.expires_at,
    )
