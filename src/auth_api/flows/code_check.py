from auth_api.client import ClientInfo
from auth_api.codes.clients import verify_code_from
from auth_api.codes.process import OtpType
from auth_api.flows.password_reset import password_reset_begin


def otp_check(*, email: str, otp_type: OtpType, code: str, client: ClientInfo) -> str | None:
    """Check a code without using it up; a forget-password code is traded for a reset token."""
    if otp_type == OtpType.FORGET_PASSWORD:
        return password_reset_begin(email=email, code=code, client=client)
    verify_code_from(client, email=email, otp_type=otp_type, code=code, consume=False)
    return None
