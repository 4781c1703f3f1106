"""better-auth rows -> this service's values. Pure functions; a row that cannot be kept raises
Skip with a reason code for the report."""

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import NamedTuple

from django.core.exceptions import ValidationError

from users.emails import validate_email
from users.hashers import better_auth_to_django
from users.models import Role

# Deterministic (so a re-run writes the very same value) and unusable (leading "!").
NO_PASSWORD = "!better-auth:no-credential"  # noqa: S105 - the unusable marker
_ROLES = {Role.TEACHER.value, Role.STUDENT.value}


class Skip(Exception):
    def __init__(self, reason: str, detail: str = ""):
        super().__init__(reason)
        self.reason = reason
        self.detail = detail


class LegacyUser(NamedTuple):
    """A user ready to write (writer._lines turns it into the bulk loader's text)."""

    id: str
    email: str
    name: str
    role: str
    verified: int  # 0/1
    image_text: str  # "" when there is no image (see image_is_null)
    image_is_null: int  # 0/1
    created_at: str  # "YYYY-MM-DD HH:MM:SS.ffffff", UTC: written as is, parsed only to compare
    updated_at: str
    password: str

    @property
    def email_verified(self) -> bool:
        return bool(self.verified)

    @property
    def image(self) -> str | None:
        return None if self.image_is_null else self.image_text

    def datetime_of(self, name: str) -> datetime:
        return datetime.fromisoformat(getattr(self, name)).replace(tzinfo=UTC)


def utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def map_user(row: tuple) -> LegacyUser:
    """A source row (in source._USERS order, its digest last) as a user of this service, or
    Skip."""
    (
        user_id,
        name,
        raw_email,
        verified,
        image,
        created_at,
        updated_at,
        role,
        stored_hash,
        has_cred,
        *_,
    ) = row
    if not valid_id(user_id):
        raise Skip("id_invalid", repr(user_id))
    email = _email(raw_email)
    name = name if name is not None else ""
    if len(name) > 255:
        raise Skip("name_too_long", f"{len(name)} characters")
    if role not in _ROLES:
        raise Skip("role_invalid", repr(role))
    password = NO_PASSWORD
    if has_cred:
        converted = better_auth_to_django(stored_hash or "")
        if converted is None:
            raise Skip("hash_malformed", f"{len(stored_hash or '')} characters")
        password = converted
    return LegacyUser(
        user_id,
        email,
        name,
        role,
        1 if verified else 0,
        image or "",
        1 if image is None else 0,
        created_at,
        updated_at,
        password,
    )


def valid_id(value: object) -> bool:
    """[A-Za-z0-9_-]{1,32}, checked by str methods (a regex took half the mapping's time)."""
    return (
        isinstance(value, str)
        and 0 < len(value) <= 32
        and value.isascii()
        and value.replace("-", "a").replace("_", "a").isalnum()
    )


def _email(raw: str | None) -> str:
    try:
        return validate_email(raw or "")
    except ValidationError:
        raise Skip("email_invalid", repr(raw)) from None


OTP_IDENTIFIER = re.compile(r"^(sign-in|email-verification|forget-password)-otp-(.+)$")
OTP_VALUE = re.compile(r"^(\d{6}):(\d+)$")


@dataclass(frozen=True)
class LegacyCode:
    email: str
    type: str
    code: str
    attempts: int
    expires_at: datetime


def map_code(row: dict) -> LegacyCode:
    """An emailOTP verification row (`<type>-otp-<email>` = `<otp>:<attempts>`)."""
    identifier = OTP_IDENTIFIER.fullmatch(row["identifier"] or "")
    value = OTP_VALUE.fullmatch(row["value"] or "")
    if identifier is None:
        raise Skip("not_an_email_code")
    expires_at = utc(row["expires_at"])
    if value is None or expires_at is None:
        raise Skip("code_format_unknown")
    try:
        email = validate_email(identifier.group(2))
    except ValidationError:
        raise Skip("email_invalid") from None
    return LegacyCode(
        email=email,
        type=identifier.group(1),
        code=value.group(1),
        attempts=int(value.group(2)),
        expires_at=expires_at,
    )
