from typing import ClassVar

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.utils import timezone

import clock

from .emails import EMAIL_MAX_LENGTH, normalize_email
from .fields import ExactMatchCharField, ExactMatchEmailField
from .ids import ID_LENGTH, generate_id
from .managers import UserManager
from .passwords import normalize_password


class Role(models.TextChoices):
    TEACHER = "teacher", "Teacher"
    STUDENT = "student", "Student"


class User(AbstractBaseUser, PermissionsMixin):
    id = ExactMatchCharField(
        primary_key=True, max_length=ID_LENGTH, default=generate_id, editable=False
    )
    email = ExactMatchEmailField(unique=True, max_length=EMAIL_MAX_LENGTH)
    # Long enough for imported legacy hashes (better-auth scrypt salt:key behind a prefix).
    password = models.CharField("password", max_length=255)
    name = models.CharField(max_length=255, blank=True, default="")
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.STUDENT)
    email_verified = models.BooleanField(default=False)
    # TOTP enrolled and confirmed: every sign-in path asks for a second step (see auth_api).
    two_factor_enabled = models.BooleanField(default=False, db_default=False)
    image = models.TextField(blank=True, null=True)  # noqa: DJ001 - better-auth keeps NULL
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        db_table = "users_user"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(role__in=["teacher", "student"]), name="users_user_role_valid"
            )
        ]

    def __str__(self) -> str:
        return self.email

    def clean(self) -> None:
        super().clean()
        self.email = normalize_email(self.email)

    def save(self, *args, **kwargs) -> None:
        self.email = normalize_email(self.email)  # one spelling per address, whoever writes it
        self.updated_at = self.created_at if self._state.adding else clock.now()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "updated_at"}
        super().save(*args, **kwargs)

    # Passwords are NFKC-normalised on both sides, so "Ｐａｓｓ１" and "Pass1" are one password.
    def set_password(self, raw_password: str | None) -> None:
        if raw_password is None:
            super().set_password(None)
        else:
            super().set_password(normalize_password(raw_password))

    def check_password(self, raw_password: str | None) -> bool:
        if raw_password is None:
            return False
        return super().check_password(normalize_password(raw_password))


class LinkedAccount(models.Model):
    """A sign-in method of another provider (OAuth) carried over from the legacy database.

    This service does not run those providers; the rows are kept so nothing the old app knew about
    a user is lost, and so a later OAuth integration can link them again.
    """

    id = ExactMatchCharField(primary_key=True, max_length=64)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="linked_accounts")
    provider_id = models.CharField(max_length=64)
    account_id = models.CharField(max_length=255)
    access_token = models.TextField(blank=True, null=True)  # noqa: DJ001 - legacy NULLs kept
    refresh_token = models.TextField(blank=True, null=True)  # noqa: DJ001
    id_token = models.TextField(blank=True, null=True)  # noqa: DJ001
    access_token_expires_at = models.DateTimeField(null=True, blank=True)
    refresh_token_expires_at = models.DateTimeField(null=True, blank=True)
    scope = models.TextField(blank=True, null=True)  # noqa: DJ001
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["provider_id", "account_id"], name="one_link_per_account"
            )
        ]

    def __str__(self) -> str:
        return f"{self.provider_id}:{self.account_id}"
