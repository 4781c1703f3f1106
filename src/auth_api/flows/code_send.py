"""Sending a code (email-otp/send/): the same answer and the same work for every address."""

from auth_api.client import ClientInfo
from auth_api.codes.process import EmailCode
from auth_api.codes.types import CodeType


def code_send(*, email: str, type: CodeType, client: ClientInfo) -> str:
    """Mail a code of `type` to `email` for this client; return the client's flow id."""
    return EmailCode(email=email, type=type, client=client).send()
