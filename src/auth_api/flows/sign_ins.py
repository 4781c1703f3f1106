from dataclasses import dataclass

from auth_api.authentication import Principal
from auth_api.errors import NotFound, TokenInvalid
from auth_api.models import RevokeReason, SignIn
from auth_api.tokens.sign_ins import sign_in_revoke, sign_in_with_user, sign_ins_live
from users.models import User


def current_session(*, principal: Principal) -> tuple[User, SignIn]:
    """The caller's user, fresh from the database, and the sign-in its token belongs to."""
    sign_in = sign_in_with_user(sign_in_id=principal.claims.sid, user_id=principal.id)
    if sign_in is None:
        raise TokenInvalid()
    return sign_in.user, sign_in


@dataclass(frozen=True)
class ListedSignIn:
    sign_in: SignIn
    current: bool  # the sign-in the caller's own token belongs to


def list_sessions(*, principal: Principal) -> list[ListedSignIn]:
    current_session(principal=principal)  # a revoked sign-in's token lists nothing
    return [
        ListedSignIn(sign_in=sign_in, current=sign_in.id == principal.claims.sid)
        for sign_in in sign_ins_live(user_id=principal.id)
    ]


def revoke_session(*, principal: Principal, sign_in_id: str) -> None:
    current_session(principal=principal)
    # Someone else's id answers exactly like an unknown one: no probing of other users' sign-ins.
    if not sign_in_revoke(sign_in_id=sign_in_id, user_id=principal.id, reason=RevokeReason.REVOKED):
        raise NotFound()
