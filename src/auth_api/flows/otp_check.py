from ..http import ClientInfo
from ..otp import OtpType, otp_verify
from .otp_limits import count_code_guess
from .password_reset import password_reset_begin


def otp_check(*, email: str, otp_type: OtpType, code: str, client: ClientInfo) -> str | None:
    """Check a code without using it up; a forget-password code is traded for a reset token."""
    if otp_type == OtpType.FORGET_PASSWORD:
        return password_reset_begin(email=email, code=code, client=client)
    count_code_guess(email=email, client=client)
    otp_verify(email=email, otp_type=otp_type, code=code, consume=False)
    return None
