from users.models import User
from users.selectors import user_get_by_email
from users.services import user_mark_verified

from ..errors import InvalidOtp
from ..http import ClientInfo
from ..otp import OtpType, otp_verify
from .otp_limits import count_code_guess


def verify_email_with_code(*, email: str, code: str, client: ClientInfo) -> User:
    count_code_guess(email=email, client=client)
    otp_verify(email=email, otp_type=OtpType.EMAIL_VERIFICATION, code=code, consume=True)
    user = user_get_by_email(email=email)
    if user is None or not user.is_active:
        raise InvalidOtp()
    return user_mark_verified(user=user)
