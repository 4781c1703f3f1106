"""Reads on users."""

import reads

from .hashers import BetterAuthScryptHasher
from .models import User


def user_get_by_email(*, email: str) -> User | None:
    # Not .first(): the address is unique, ordering by the primary key would only cost time.
    # A sign-in's first read: it checks the connection itself (reads.read).
    return reads.read(lambda: next(iter(User.objects.filter(email=email)[:1]), None))


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
