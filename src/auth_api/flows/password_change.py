from django.db import transaction

from auth_api import security_events, signals
from auth_api.authentication import Principal
from auth_api.client import ClientInfo
from auth_api.flows.account_mail import account_notice
from auth_api.flows.reauthentication import current_password_check, require_fresh
from auth_api.flows.sign_ins import account_secured, sign_in_current
from auth_api.models import RevokeReason, SecurityEventType
from emailing.models import EmailKind
from users.errors import InvalidPassword, PasswordUnchanged
from users.models import User
from users.services import user_change_password


def password_change(
    *,
    principal: Principal,
    current_password: str | None,
    new_password: str,
    revoke_others: bool,
    client: ClientInfo,
) -> User:
    """With the current password whenever the account has one, fresh or not (a stolen access
    token must not set a password); a password-less account sets its first one inside the
    step-up window."""
    user, sign_in = sign_in_current(principal=principal)
    if user.has_usable_password():
        if current_password is None:
            raise InvalidPassword()
        current_password_check(
            user=user, sign_in_id=sign_in.id, password=current_password, client=client
        )
    else:
        require_fresh(principal)
    if user.has_usable_password() and user.check_password(new_password):
        raise PasswordUnchanged()
    with transaction.atomic():
        user_change_password(user=user, new_password=new_password)
        if revoke_others:
            account_secured(
                user_id=user.pk,
                email=user.email,
                reason=RevokeReason.PASSWORD_CHANGE,
                keep=principal.claims.sid,
                keep_device_token=client.device_token,
            )
        password_change_told(user=user, client=client, others_ended=revoke_others)
    return user


def password_change_told(*, user: User, client: ClientInfo | None, others_ended: bool) -> None:
    """What a changed password (not a reset) leaves, in the change's transaction: the owner's
    mail, the security event, the app's signal."""
    account_notice(
        user=user,
        kind=EmailKind.PASSWORD_CHANGED,
        secrets={"how": "change", "others_ended": others_ended},
    )
    security_events.record(user_id=user.pk, type=SecurityEventType.PASSWORD_CHANGED, client=client)
    signals.password_changed.send(sender=type(user), user=user, how="change")
