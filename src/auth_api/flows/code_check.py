"""Checking a code (email-otp/check/) without signing in."""

from auth_api.client import ClientInfo
from auth_api.codes.process import EmailCode
from auth_api.codes.types import CodeType
from auth_api.flows.password_reset import password_reset_begin


def code_check(*, email: str, type: CodeType, code: str, client: ClientInfo) -> str | None:
    """Check a code without using it up; a forget-password code is traded for a reset token."""
    if type == CodeType.FORGET_PASSWORD:
        return password_reset_begin(email=email, code=code, client=client)
    EmailCode(email=email, type=type, client=client).check(code, consume=False)
    return None
