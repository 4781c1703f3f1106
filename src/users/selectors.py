"""Reads on users."""

from .models import User


def user_get_by_email(*, email: str) -> User | None:
    return User.objects.filter(email=email).first()


def user_get_active(*, user_id: str) -> User | None:
    return User.objects.filter(pk=user_id, is_active=True).first()


def user_email_taken(*, email: str) -> bool:
    return User.objects.filter(email=email).exists()
