"""The caller's profile (PATCH user/): name and picture."""

from auth_api.authentication import Principal
from auth_api.flows.sign_ins import sign_in_current
from users.models import User
from users.services import user_update_profile

_UNSET = object()


def profile_update(*, principal: Principal, name=_UNSET, image=_UNSET) -> User:
    user, _ = sign_in_current(principal=principal)
    changes = {k: v for k, v in (("name", name), ("image", image)) if v is not _UNSET}
    return user_update_profile(user=user, **changes)
