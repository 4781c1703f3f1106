"""Self-service on one's own account: profile, step-up, sign out everywhere, activity."""

from django.db import transaction

from auth_api import security_events
from auth_api.authentication import Principal
from auth_api.client import ClientInfo
from auth_api.codes.clients import verify_code_from
from auth_api.codes.process import OtpType
from auth_api.flows.sign_ins import current_session
from auth_api.limits import rates
from auth_api.models import RevokeReason, SecurityEvent, SecurityEventKind
from auth_api.tokens.sign_ins import IssuedTokens, sign_in_proof_renewed, sign_ins_revoke_all
from users.errors import InvalidPassword
from users.models import User
from users.services import user_update_profile

_UNSET = object()


def update_profile(*, principal: Principal, name=_UNSET, image=_UNSET) -> User:
    user, _ = current_session(principal=principal)
    changes = {k: v for k, v in (("name", name), ("image", image)) if v is not _UNSET}
    return user_update_profile(user=user, **changes)


def reauthenticate(
    *, principal: Principal, password: str | None, code: str | None, client: ClientInfo
) -> IssuedTokens:
    """A fresh proof of the owner (the password, or a `reauthentication` code): new tokens whose
    `authTime` is now."""
    user, sign_in = current_session(principal=principal)
    if password is not None:
        rates.hit("password_change_user", user.pk)  # a stolen token is no guessing oracle
        if not user.check_password(password):
            raise InvalidPassword()
    else:
        verify_code_from(
            client,
            email=user.email,
            otp_type=OtpType.REAUTHENTICATION,
            code=code or "",
            consume=True,
        )
    with transaction.atomic():
        security_events.record(
            user_id=user.pk, kind=SecurityEventKind.REAUTHENTICATED, client=client
        )
        return sign_in_proof_renewed(user=user, sign_in=sign_in)


def end_sign_ins(*, principal: Principal, client: ClientInfo, keep_this_one: bool) -> int:
    """End every sign-in of the caller (but its own one, with `keep_this_one`)."""
    user, sign_in = current_session(principal=principal)
    with transaction.atomic():
        ended = sign_ins_revoke_all(
            user_id=user.pk,
            reason=RevokeReason.REVOKED if keep_this_one else RevokeReason.SIGN_OUT,
            keep=sign_in.id if keep_this_one else None,
        )
        if ended:
            security_events.record(
                user_id=user.pk, kind=SecurityEventKind.SIGN_INS_REVOKED, client=client
            )
    return ended


def security_activity(*, principal: Principal):
    """The caller's events, newest first (a queryset: the view paginates it)."""
    current_session(principal=principal)
    return SecurityEvent.objects.filter(user_id=principal.id).order_by("-created_at", "-id")
