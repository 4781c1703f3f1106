"""better-auth rows -> this service's values. Pure functions; a row that cannot be kept raises
Skip with a reason code for the report."""

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from django.core.exceptions import ValidationError

from users.emails import validate_email
from users.hashers import better_auth_to_django
from users.models import Role

# Deterministic (so a re-run writes the very same value) and unusable (leading "!").
NO_PASSWORD = "!better-auth:no-credential"  # noqa: S105 - the unusable marker
_ID = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
_ROLES = {Role.TEACHER.value, Role.STUDENT.value}


class Skip(Exception):
    def __init__(self, reason: str, detail: str = ""):
        super().__init__(reason)
        self.reason = reason
        self.detail = detail


@dataclass(slots=True)
class LegacyUser:
    id: str
    email: str
    name: str
    role: str
    email_verified: bool
    image: str | None
    created_at: datetime
    updated_at: datetime
    password: str


def utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def map_user(row: dict) -> LegacyUser:
    if not isinstance(row["id"], str) or not _ID.match(row["id"]):
        raise Skip("id_invalid", repr(row["id"]))
    try:
        email = validate_email(row["email"] or "")
    except ValidationError:
        raise Skip("email_invalid", repr(row["email"])) from None
    name = row["name"] if row["name"] is not None else ""
    if len(name) > 255:
        raise Skip("name_too_long", f"{len(name)} characters")
    if row["role"] not in _ROLES:
        raise Skip("role_invalid", repr(row["role"]))
    password = NO_PASSWORD
    if row["has_credential"]:
        password = better_auth_to_django(row["password"] or "")
        if password is None:
            raise Skip("hash_malformed", f"{len(row['password'] or '')} characters")
    return LegacyUser(
        id=row["id"],
        email=email,
        name=name,
        role=row["role"],
        email_verified=bool(row["email_verified"]),
        image=row["image"],
        created_at=utc(row["created_at"]),
        updated_at=utc(row["updated_at"]),
        password=password,
    )


OTP_IDENTIFIER = re.compile(r"^(sign-in|email-verification|forget-password)-otp-(.+)$")
OTP_VALUE = re.compile(r"^(\d{6}):(\d+)$")


@dataclass(frozen=True)
class LegacyCode:
    email: str
    purpose: str
    code: str
    attempts: int
    expires_at: datetime


def map_code(row: dict) -> LegacyCode:
    """An emailOTP verification row (`<type>-otp-<email>` = `<otp>:<attempts>`)."""
    identifier = OTP_IDENTIFIER.match(row["identifier"] or "")
    value = OTP_VALUE.match(row["value"] or "")
    if identifier is None:
        raise Skip("not_an_email_code")
    if value is None:
        raise Skip("code_format_unknown")
    try:
        email = validate_email(identifier.group(2))
    except ValidationError:
        raise Skip("email_invalid") from None
    return LegacyCode(
        email=email,
        purpose=identifier.group(1),
        code=value.group(1),
        attempts=int(value.group(2)),
        expires_at=utc(row["expires_at"]),
    )
