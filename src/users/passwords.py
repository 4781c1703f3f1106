"""Password policy: NFKC normalisation (as better-auth does) and one error code per rule."""

import unicodedata

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError

from .errors import (
    PasswordNotAllowed,
    PasswordRejected,
    PasswordTooCommon,
    PasswordTooLong,
    PasswordTooShort,
    PasswordTooSimilar,
)

# Django validator codes -> API errors; the first broken rule names the error.
_ERRORS: dict[str, type[PasswordRejected]] = {
    "password_too_short": PasswordTooShort,
    "password_too_long": PasswordTooLong,
    "password_too_common": PasswordTooCommon,
    "password_too_similar": PasswordTooSimilar,
}


def normalize_password(raw: str) -> str:
    return unicodedata.normalize("NFKC", raw)


class MaximumLengthValidator:
    """Caps length so hashing cost stays bounded (NIST allows a cap of at least 64)."""

    def __init__(self, max_length: int = 128):
        self.max_length = max_length

    def validate(self, password: str, user=None) -> None:
        if len(password) > self.max_length:
            raise ValidationError(
                f"This password is too long. It must contain at most {self.max_length} characters.",
                code="password_too_long",
            )

    def get_help_text(self) -> str:
        return f"Your password must contain at most {self.max_length} characters."


def validate_new_password(raw: str, *, user, field: str = "password") -> str:
    """Return the normalised password, or raise PasswordRejected naming the first broken rule."""
    password = normalize_password(raw)
    try:
        password_validation.validate_password(password, user=user)
    except ValidationError as exc:
        errors = exc.error_list
        error = _ERRORS.get(errors[0].code or "", PasswordNotAllowed)
        raise error(fields={field: [m for e in errors for m in e.messages]}) from None
    return password
