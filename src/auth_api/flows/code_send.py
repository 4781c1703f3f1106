"""Sending a code (email-otp/send/) or a link alone (email-link/send/): the same answer and the
same work for every address."""

from auth_api.authentication import Principal
from auth_api.client import ClientInfo
from auth_api.codes.process import EmailCode
from auth_api.codes.types import CodeType
from auth_api.errors import NotAuthenticated, PermissionDenied
from auth_api.flows.sign_ins import sign_in_current


def code_send(
    *,
    email: str,
    type: CodeType,
    client: ClientInfo,
    principal: Principal | None,
    with_code: bool = True,
) -> str:
    """Mail a code of `type` (and its link, or the link alone) to `email` for this client; return
    the client's flow id. A step-up code is the signed-in owner's to ask for: a stranger's would
    fill the address's mail ceiling with mail whose link the owner cannot use in a new browser.
    A verified owner's is counted per account, on no ceiling strangers fill (reset mail would
    keep a password-less owner's only step-up away for as long as they sent it); an unproven
    account's stays on the address's ceiling, since it may not be the address's owner."""
    owner = None
    if type == CodeType.REAUTHENTICATION:
        if principal is None:
            raise NotAuthenticated()
        user, _ = sign_in_current(principal=principal)
        if user.email != email:
            raise PermissionDenied()
        owner = user.pk if user.email_verified else None
    return EmailCode(email=email, type=type, client=client).send(with_code=with_code, owner=owner)
