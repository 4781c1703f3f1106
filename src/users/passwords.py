"""Password policy: NFKC normalisation (as better-auth does) and one error code per rule."""

import unicodedata

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError

from .errors import PasswordRejected

# Django validator codes -> API error codes. Order matters only for which code leads.
_CODES = {
    "password_too_short": "PASSWORD_TOO_SHORT",
    "password_too_long": "PASSWORD_TOO_LONG",
    "password_too_common": "PASSWORD_TOO_COMMON",
    "password_too_similar": "PASSWORD_TOO_SIMILAR",
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
        code = _CODES.get(errors[0].code or "", "PASSWORD_INVALID")
        raise PasswordRejected(code, [m for e in errors for m in e.messages], field=field) from None
    return password
