"""Writes on users. Keyword-only, atomic, raising domain errors."""

from django.db import IntegrityError, transaction

import clock

from .errors import UserAlreadyExists
from .models import Role, User
from .passwords import validate_new_password
from .selectors import user_email_taken


@transaction.atomic
def user_create(
    *,
    email: str,
    password: str | None,
    name: str = "",
    role: str = Role.STUDENT,
    email_verified: bool = False,
) -> User:
    """Create a user; `email` must already be normalised. `password=None` makes it unusable."""
    user = User(email=email, name=name, role=role, email_verified=email_verified)
    if password is not None:
        password = validate_new_password(password, user=user)
    if user_email_taken(email=email):
        raise UserAlreadyExists()
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save(force_insert=True)
    except IntegrityError as exc:  # lost a race with a concurrent sign-up for the same email
        raise UserAlreadyExists() from exc
    return user


@transaction.atomic
def user_change_password(*, user: User, new_password: str) -> User:
    password = validate_new_password(new_password, user=user, field="newPassword")
    user.set_password(password)
    user.save(update_fields=["password"])
    return user


@transaction.atomic
def user_mark_verified(*, user: User, drop_password: bool = False) -> User:
    """Mark the email verified. `drop_password` makes the password unusable: a password set before
    the address was proven may be someone else's pre-registration."""
    user.email_verified = True
    fields = ["email_verified"]
    if drop_password:
        user.set_unusable_password()
        fields.append("password")
    user.save(update_fields=fields)
    return user


@transaction.atomic
def user_update_profile(*, user: User, **changes) -> User:
    """`name` and/or `image` (already validated by the caller's input rules)."""
    for field, value in changes.items():
        setattr(user, field, value)
    user.updated_at = clock.now()
    user.save(update_fields=[*changes, "updated_at"])
    return user


@transaction.atomic
def user_change_email(*, user: User, new_email: str) -> User:
    """The new address, proven by a code sent to it: verified."""
    if user_email_taken(email=new_email):
        raise UserAlreadyExists()
    user.email = new_email
    user.email_verified = True
    user.updated_at = clock.now()
    try:
        with transaction.atomic():
            user.save(update_fields=["email", "email_verified", "updated_at"])
    except IntegrityError as exc:  # lost a race with a sign-up for the same address
        raise UserAlreadyExists() from exc
    return user


@transaction.atomic
def user_reset_required(*, user: User) -> User:
    """The password becomes unusable and the address counts as proven: only a reset through it
    gives the account a password again (after an email change its owner undid)."""
    user.set_unusable_password()
    user.email_verified = True
    user.save(update_fields=["password", "email_verified"])
    return user


def user_reset_password(*, user: User, new_password: str) -> User:
    """Set a password proven by an email code: the address is verified by the same proof."""
    password = validate_new_password(new_password, user=user)
    user.set_password(password)
    user.email_verified = True
    user.save(update_fields=["password", "email_verified"])
    return user
