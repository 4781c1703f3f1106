"""What staff change in an account's record (the Django admin's user form) that the API treats as
a change of credentials: a new address, or the account switched off."""

from auth_api import security_events
from auth_api.client import ClientInfo
from auth_api.flows.sign_ins import account_secured
from auth_api.models import RevokeReason, SecurityEventType
from users.models import User


def account_edited_in_admin(
    *, user: User, old_email: str | None, fields: set[str], client: ClientInfo
) -> None:
    """After the admin saved `fields` of `user` (in the admin's transaction, which holds the
    user's row): a new address ends every sign-in, trusted device and pending proof of the old
    one, as the API's email change does, and the security activity says so; an account switched
    off has its sign-ins end now (their access tokens are refused within a second), not when
    their tokens run out."""
    if "email" in fields and old_email and old_email != user.email:
        account_secured(user_id=user.pk, email=old_email, reason=RevokeReason.EMAIL_CHANGED)
        security_events.record(user_id=user.pk, type=SecurityEventType.EMAIL_CHANGED, client=client)
    if "is_active" in fields and not user.is_active:
        account_secured(user_id=user.pk, email=user.email, reason=RevokeReason.USER_INACTIVE)
