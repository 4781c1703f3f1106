from django.db import transaction

from emailing.models import EmailKind
from emailing.services import email_enqueue

from .. import ratelimit
from ..http import ClientInfo
from ..otp import OtpType, otp_issue

# (message kind, send only to an existing account)
_MESSAGES = {
    OtpType.SIGN_IN: (EmailKind.OTP_SIGN_IN, False),  # unknown emails may sign up by code
    OtpType.EMAIL_VERIFICATION: (EmailKind.OTP_EMAIL_VERIFICATION, True),
    OtpType.FORGET_PASSWORD: (EmailKind.OTP_FORGET_PASSWORD, True),
}


def otp_send(*, email: str, otp_type: OtpType, client: ClientInfo) -> None:
    """Issue a code and queue its email. The request does the same work for every address; whether
    the account exists is decided at delivery, off the request path (no enumeration by timing)."""
    ratelimit.hit("otp_send_ip", client.limit_key)
    ratelimit.hit("otp_send_email_type", f"{otp_type.value}:{email}")
    ratelimit.hit("otp_send_email_hour", email)
    kind, requires_user = _MESSAGES[otp_type]
    with transaction.atomic():
        issued = otp_issue(email=email, otp_type=otp_type)
        email_enqueue(
            kind=kind,
            to_email=email,
            secrets={"code": issued.code},
            requires_user=requires_user,
            expires_at=issued.expires_at,
        )
