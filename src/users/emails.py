"""Email normalisation and validation: one spelling per mailbox.

Trimmed, NFC, lower-cased; the domain mapped with IDNA/UTS-46 (so `ｅｘａｍｐｌｅ.test` and
`EXAMPLE.test` are `example.test`); invisible and format characters (zero-width space, soft
hyphen, joiners, ...) refused, because mail servers drop them and deliver `a@exa\u00admple.test`
to `a@example.test`: accepting them would let one mailbox hold several accounts.
"""

import re
import unicodedata

import idna
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


# Control, format (zero-width, soft hyphen, bidi marks), surrogate, private-use, unassigned and
# separator characters never belong in an address.
_INVISIBLE = {"Cc", "Cf", "Cs", "Co", "Cn", "Zs", "Zl", "Zp"}


def _invalid() -> ValidationError:
    return ValidationError("Enter a valid email address.", code="invalid")


def _domain(domain: str) -> str:
    """UTS-46 mapping and IDNA 2008 check; the Unicode form is what is stored."""
    try:
        return idna.decode(idna.encode(domain, uts46=True))
    except (idna.IDNAError, UnicodeError):
        return domain


def normalize_email(value: str) -> str:
    email = unicodedata.normalize("NFC", value.strip()).lower()
    if PLAIN_EMAIL.fullmatch(email) and "xn--" not in email:
        return email  # plain ASCII: already in its one form
    local, at, domain = email.rpartition("@")
    return f"{local}{at}{_domain(domain)}" if at else email


def validate_email(value: str) -> str:
    """Return the normalised email or raise ValidationError."""
    stripped = value.strip()
    if stripped.isascii():
        email = stripped.lower()  # ASCII: NFC and UTS-46 change nothing but punycode labels
        if len(email) <= EMAIL_MAX_LENGTH and PLAIN_EMAIL.fullmatch(email) and "xn--" not in email:
            return email
    if len(stripped) > 2 * EMAIL_MAX_LENGTH:
        raise _invalid()
    if any(unicodedata.category(ch) in _INVISIBLE for ch in stripped):
        raise _invalid()
    email = normalize_email(stripped)
    if len(email) > EMAIL_MAX_LENGTH:
        raise _invalid()
    if PLAIN_EMAIL.fullmatch(email):
        return email
    _, _, domain = email.rpartition("@")
    try:
        idna.encode(domain, uts46=True)
    except (idna.IDNAError, UnicodeError):
        raise _invalid() from None
    _validate(email)
    return email
