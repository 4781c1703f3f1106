"""Email normalisation and validation: trimmed, lower-cased, internationalised local parts."""

import re

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.utils.regex_helper import _lazy_re_compile

EMAIL_MAX_LENGTH = 254


class UnicodeEmailValidator(EmailValidator):
    # RFC 6531 local parts (josé@example.com): any printable character but the specials,
    # no leading, trailing or doubled dot.
    user_regex = _lazy_re_compile(r'^(?!\.)(?!.*\.\.)[^\s@"(),:;<>\[\\\]]+(?<!\.)\Z')


_validate = UnicodeEmailValidator(message="Enter a valid email address.", code="invalid")

# The common case, checked in one regex: plain ASCII addresses that the full validator accepts
# too (no leading, trailing or doubled dot; hostname labels; an alphabetic TLD).
PLAIN_EMAIL = re.compile(
    r"^(?!\.)(?!.*\.\.)[a-z0-9._%+-]{1,64}(?<!\.)"
    r"@(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$"
)


def normalize_email(value: str) -> str:
    return value.strip().lower()


def validate_email(value: str) -> str:
    """Return the normalised email or raise ValidationError."""
    email = normalize_email(value)
    if len(email) > EMAIL_MAX_LENGTH:
        raise ValidationError("Enter a valid email address.", code="invalid")
    if PLAIN_EMAIL.fullmatch(email):
        return email
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in email):
        raise ValidationError("Enter a valid email address.", code="invalid")
    _validate(email)
    return email
