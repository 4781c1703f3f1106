from django.db import transaction

from emailing.services import email_enqueue

from .. import ratelimit
from ..http import ClientInfo
from ..otp import OtpType, otp_issue

# (message kind, send only to an existing account)
_MESSAGES = {
    OtpType.SIGN_IN: ("otp_sign_in", False),  # unknown emails may sign up by code
    OtpType.EMAIL_VERIFICATION: ("otp_email_verification", True),
    OtpType.FORGET_PASSWORD: ("otp_forget_password", True),
}


def otp_send(*, email: str, purpose: OtpType, client: ClientInfo) -> None:
    """Issue a code and queue its email. The request does the same work for every address; whether
    the account exists is decided at delivery, off the request path (no enumeration by timing)."""
    ratelimit.hit("otp_send_ip", client.ip or "")
    ratelimit.hit("otp_send_email_type", f"{purpose.value}:{email}")
    ratelimit.hit("otp_send_email_hour", email)
    kind, requires_user = _MESSAGES[purpose]
    with transaction.atomic():
        issued = otp_issue(email=email, purpose=purpose)
        email_enqueue(
            kind=kind,
            to_email=email,
            secrets={"code": issued.code},
            requires_user=requires_user,
            expires_at=issued.expires_at,
        )
