"""Reads on users."""

from typing import NamedTuple

from django.db import DEFAULT_DB_ALIAS

from prepared import PreparedQuery

from .hashers import BetterAuthScryptHasher
from .models import User

_COLUMNS = tuple(field.attname for field in User._meta.concrete_fields)

# Every sign-in and code flow starts here: compiled once per process (PreparedQuery), its row
# packed in one column (fourteen for the driver to describe otherwise), and as a request's first
# read it checks the connection itself (reads.read). Not .first(): the address is unique,
# ordering by the primary key would only cost time.
_BY_EMAIL = PreparedQuery(
    lambda email: User.objects.filter(email=email).values_list(*_COLUMNS), "email", packed=True
)


def user_get_by_email(*, email: str) -> User | None:
    row = _BY_EMAIL.first(email=email)
    return None if row is None else User.from_db(DEFAULT_DB_ALIAS, _COLUMNS, row)


class HeldUser(NamedTuple):
    """What a sign-in's proof was checked against, as the locked row has it now."""

    password: str
    is_active: bool
    two_factor_enabled: bool


# Taken inside a transaction: compiled there on first use (FOR UPDATE needs one).
_HOLD = PreparedQuery(
    lambda user_id: (
        User.objects.filter(pk=user_id)
        .select_for_update()
        .values_list("password", "is_active", "two_factor_enabled")
    ),
    "user_id",
)


def user_hold(*, user_id: str) -> HeldUser | None:
    """Lock the user's row until the caller's transaction ends, and read it again. Every change
    of credentials (a password reset or change, an email change, turning two-factor on, deleting
    the account) locks it before it ends the user's devices and sign-ins; a transaction that
    locks a device first and the user after could deadlock with them."""
    row = _HOLD.first(user_id=user_id)
    return None if row is None else HeldUser(*row)


def user_get(*, user_id: str) -> User | None:
    return next(iter(User.objects.filter(pk=user_id)[:1]), None)


def user_get_active(*, user_id: str) -> User | None:
    return User.objects.filter(pk=user_id, is_active=True).first()


def user_email_taken(*, email: str) -> bool:
    return User.objects.filter(email=email).exists()


def user_legacy_hashes_remain() -> bool:
    """Whether any imported better-auth hash is still waiting for its owner's first sign-in."""
    prefix = f"{BetterAuthScryptHasher.algorithm}$"
    return User.objects.filter(password__startswith=prefix).exists()
