"""What a code is for: its `type`, the same word as in the API."""

from enum import StrEnum


class CodeType(StrEnum):
    SIGN_IN = "sign-in"
    EMAIL_VERIFICATION = "email-verification"
    FORGET_PASSWORD = "forget-password"  # noqa: S105 - a code type, not a secret
    REAUTHENTICATION = "reauthentication"
    EMAIL_CHANGE = "email-change"  # sent by email/change/ only, never by email-otp/send/
    # A link only (no code), to the old address once an email change is done: 7 days to undo it.
    EMAIL_CHANGE_UNDO = "email-change-undo"
