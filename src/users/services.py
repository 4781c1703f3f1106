"""Writes on users. Keyword-only, atomic, raising domain errors."""

from django.db import IntegrityError, transaction

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
