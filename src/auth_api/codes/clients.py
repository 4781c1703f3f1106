"""Who is sending or guessing a code: the client's flow, and whether it is a trusted device of
the account behind the address (a device that signed in to it before)."""

from dataclasses import dataclass

from auth_api.client import ClientInfo
from auth_api.codes.process import OtpType, otp_verify
from auth_api.limits import rates
from auth_api.tokens.code_flows import flow_id_of
from auth_api.tokens.devices import trusted_nonce
from users.selectors import user_get_by_email


@dataclass(frozen=True)
class CodeClient:
    flow_id: str | None
    device: str | None  # the device nonce when trusted for this address's account

    @property
    def trusted(self) -> bool:
        return self.device is not None


def code_client(*, email: str, client: ClientInfo) -> CodeClient:
    device = None
    if client.device_token:  # only then is the account looked up (the same for any address)
        user = user_get_by_email(email=email)
        if user is not None:
            device = trusted_nonce(client.device_token, user_id=user.pk)
    return CodeClient(flow_id=flow_id_of(client.flow_token), device=device)


def guessing_client(*, email: str, client: ClientInfo) -> CodeClient:
    """Count one code guess against the client's address and say who is guessing. A guess spends
    the owner's budgets only when it meets a live code that this client asked for (see otp)."""
    rates.hit("otp_verify_ip", client.limit_key)
    return code_client(email=email, client=client)


def verify_code_from(
    client: ClientInfo, *, email: str, otp_type: OtpType, code: str, consume: bool
) -> None:
    """The one way a flow checks an emailed code: counted against the client's address, looked up
    in the client's own flow, and charged to the address's untrusted allowance unless the client
    is a trusted device of the account."""
    guessing = guessing_client(email=email, client=client)
    otp_verify(
        email=email,
        otp_type=otp_type,
        code=code,
        consume=consume,
        flow_id=guessing.flow_id,
        trusted=guessing.trusted,
    )
