"""The caller's sign-ins: the current one (session/), the list, ending one or all (sessions/…)."""

from dataclasses import dataclass

from django.db import transaction

from auth_api import security_events
from auth_api.authentication import Principal
from auth_api.client import ClientInfo
from auth_api.codes.store import codes_pending_end
from auth_api.errors import NotFound, TokenInvalid
from auth_api.models import RevokeReason, SecurityEventType, SignIn
from auth_api.tokens.pending import pendings_end
from auth_api.tokens.sign_ins import (
    SessionShown,
    session_shown,
    sign_in_revoke,
    sign_in_with_user,
    sign_ins_live,
    sign_ins_revoke_all,
)
from users.models import User


def session_current(*, principal: Principal) -> SessionShown:
    """What GET session/ shows: the caller's user, fresh from the database, and the sign-in its
    token belongs to."""
    session = session_shown(sign_in_id=principal.claims.sid, user_id=principal.id)
    if session is None:
        raise TokenInvalid()
    return session


def sign_in_current(*, principal: Principal) -> tuple[User, SignIn]:
    """The caller's user, fresh from the database, and the sign-in its token belongs to."""
    sign_in = sign_in_with_user(sign_in_id=principal.claims.sid, user_id=principal.id)
    if sign_in is None:
        raise TokenInvalid()
    return sign_in.user, sign_in


@dataclass(frozen=True)
class ListedSignIn:
    sign_in: SignIn
    current: bool  # the sign-in the caller's own token belongs to


def sign_ins_list(*, principal: Principal) -> list[ListedSignIn]:
    sign_in_current(principal=principal)  # a revoked sign-in's token lists nothing
    return [
        ListedSignIn(sign_in=sign_in, current=sign_in.id == principal.claims.sid)
        for sign_in in sign_ins_live(user_id=principal.id)
    ]


def sign_in_end_own(*, principal: Principal, sign_in_id: str) -> None:
    sign_in_current(principal=principal)
    # Someone else's id answers exactly like an unknown one: no probing of other users' sign-ins.
    if not sign_in_revoke(sign_in_id=sign_in_id, user_id=principal.id, reason=RevokeReason.REVOKED):
        raise NotFound()


def account_secured(
    *,
    user_id: str,
    email: str,
    reason: RevokeReason,
    keep: str | None = None,
    keep_device_token: str | None = None,
) -> int:
    """What every change of the account's credentials (and sign out everywhere) ends: its
    sign-ins (but `keep`), its trusted devices (but the one `keep_device_token` holds), its
    pending sign-ins (a first proof made before the change), and the pending proofs issued for its
    address or password (`email`: the address they were sent to)."""
    codes_pending_end(user_id=user_id, email=email)
    pendings_end(user_id=user_id)
    return sign_ins_revoke_all(
        user_id=user_id, reason=reason, keep=keep, keep_device_token=keep_device_token
    )


def sign_ins_end(*, principal: Principal, client: ClientInfo, keep_this_one: bool) -> int:
    """End every sign-in of the caller (but its own one, with `keep_this_one`)."""
    user, sign_in = sign_in_current(principal=principal)
    with transaction.atomic():
        ended = account_secured(
            user_id=user.pk,
            email=user.email,
            reason=RevokeReason.REVOKED if keep_this_one else RevokeReason.SIGN_OUT,
            keep=sign_in.id if keep_this_one else None,
            keep_device_token=client.device_token if keep_this_one else None,
        )
        if ended:
            security_events.record(
                user_id=user.pk, type=SecurityEventType.SIGN_INS_REVOKED, client=client
            )
    return ended
