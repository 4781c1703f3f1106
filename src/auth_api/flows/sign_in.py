from functools import lru_cache

from django.contrib.auth.hashers import check_password, get_hasher, make_password

from users.models import User
from users.selectors import user_get_by_email

from .. import ratelimit
from ..errors import InvalidCredentials
from ..http import ClientInfo
from ..sessions.sign_ins import IssuedTokens, sign_in_start
from ..timing import constant_time_check, is_legacy_hash


@lru_cache(maxsize=4)
def _dummy_hash(algorithm: str) -> str:
    return make_password("dummy password for timing equalisation", hasher=algorithm)


def _spend_hash_time(password: str) -> None:
    # Unknown email or password-less account: run the preferred hasher anyway, so the response
    # time does not reveal whether the account exists (Django's ModelBackend does the same).
    check_password(password, _dummy_hash(get_hasher().algorithm))


def sign_in_with_password(
    *, email: str, password: str, remember_me: bool, client: ClientInfo
) -> IssuedTokens:
    user = check_credentials(email=email, password=password, client=client)
    return sign_in_start(user=user, remember_me=remember_me, client=client)


def check_credentials(*, email: str, password: str, client: ClientInfo) -> User:
    """The one password check of every path (API sign-in, Django admin): the same rate limits,
    the same constant-time behaviour. Raises InvalidCredentials or TooManyRequests."""
    ratelimit.hit("sign_in_ip", client.limit_key)
    ratelimit.hit("sign_in_email", email)
    user = user_get_by_email(email=email)
    with constant_time_check(legacy_hash_seen=user is not None and is_legacy_hash(user.password)):
        if user is None or not user.is_active or not user.has_usable_password():
            _spend_hash_time(password)
            valid = False
        else:
            valid = user.check_password(password)  # upgrades a legacy or weaker hash on success
    if not valid or user is None:
        raise InvalidCredentials()
    return user
