"""Subject, text and HTML for each kind of message."""

from dataclasses import dataclass

from django.conf import settings
from django.template.loader import render_to_string

from .models import EmailKind

SUBJECTS = {
    EmailKind.OTP_SIGN_IN: "Your sign-in code",
    EmailKind.OTP_EMAIL_VERIFICATION: "Verify your email address",
    EmailKind.OTP_FORGET_PASSWORD: "Reset your password",
    EmailKind.PASSWORD_CHANGED: "Your password was changed",
    EmailKind.SIGN_IN_CLOSED: "Password sign-in to your account is paused",
    EmailKind.OTP_REAUTHENTICATION: "Your confirmation code",
    EmailKind.OTP_EMAIL_CHANGE: "Confirm your new email address",
    EmailKind.EMAIL_CHANGE_TAKEN: "Someone tried to move an account to this address",
    EmailKind.EMAIL_CHANGE_NOTICE: "A change of your email address was requested",
    EmailKind.ACCOUNT_DELETED: "Your account was deleted",
    EmailKind.EMAIL_CHANGED: "The email address of your account was changed",
    EmailKind.TWO_FACTOR_ENABLED: "Two-factor authentication is on",
    EmailKind.TWO_FACTOR_DISABLED: "Two-factor authentication was turned off",
    EmailKind.RECOVERY_CODE_USED: "A recovery code was used to sign in",
    EmailKind.RECOVERY_CODES_NEW: "New recovery codes were made",
    EmailKind.PASSKEY_ADDED: "A passkey was added to your account",
    EmailKind.PASSKEY_REMOVED: "A passkey was removed from your account",
}
TEMPLATES = {
    EmailKind.PASSWORD_CHANGED: "password_changed",
    EmailKind.SIGN_IN_CLOSED: "sign_in_closed",
    EmailKind.EMAIL_CHANGE_TAKEN: "notice",
    EmailKind.EMAIL_CHANGE_NOTICE: "notice",
    EmailKind.ACCOUNT_DELETED: "notice",
    EmailKind.EMAIL_CHANGED: "notice",
    EmailKind.TWO_FACTOR_ENABLED: "notice",
    EmailKind.TWO_FACTOR_DISABLED: "notice",
    EmailKind.RECOVERY_CODE_USED: "notice",
    EmailKind.RECOVERY_CODES_NEW: "notice",
    EmailKind.PASSKEY_ADDED: "notice",
    EmailKind.PASSKEY_REMOVED: "notice",
}
_NOT_YOU = " If it was not you, reset your password now and sign out everywhere."
NOTICES = {
    EmailKind.EMAIL_CHANGE_TAKEN: (
        "Someone signed in to another account asked to move it to this address, {email}. This "
        "address already has an account, so nothing was changed. If it was you, sign in to the "
        "account of this address instead."
    ),
    EmailKind.EMAIL_CHANGE_NOTICE: (
        "A change of the email address of your account {email} was requested. It takes effect "
        "once the new address is confirmed with the code sent there. If it was not you, reset "
        'your password now with "Forgot password".'
    ),
    EmailKind.EMAIL_CHANGED: (
        "The email address of your account was changed from this address, {email}, to "
        "{new_email}. If it was not you, open the link below within 7 days: it gives your "
        "account this address back, ends every sign-in and asks you to choose a new password."
    ),
    EmailKind.TWO_FACTOR_ENABLED: (
        "Two-factor authentication was turned on for your account {email}: signing in now also "
        "asks for a code from your authenticator app, a recovery code or a passkey." + _NOT_YOU
    ),
    EmailKind.TWO_FACTOR_DISABLED: (
        "Two-factor authentication was turned off for your account {email}, and no device skips "
        "the second step any more." + _NOT_YOU
    ),
    EmailKind.RECOVERY_CODE_USED: (
        "A recovery code was used to sign in to your account {email}. You have {remaining} "
        "unused recovery codes left; make new ones in Settings when they run low." + _NOT_YOU
    ),
    EmailKind.RECOVERY_CODES_NEW: (
        "New recovery codes were made for your account {email}; the old ones no longer work."
        + _NOT_YOU
    ),
    EmailKind.PASSKEY_ADDED: (
        'A passkey named "{name}" was added to your account {email}: it can sign you in.' + _NOT_YOU
    ),
    EmailKind.PASSKEY_REMOVED: (
        'The passkey named "{name}" was removed from your account {email}.' + _NOT_YOU
    ),
    EmailKind.ACCOUNT_DELETED: (
        "Your account {email} and everything in it were deleted, as you asked. This cannot be "
        "undone; you can create a new account at any time."
    ),
}


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


def render(kind: str, context: dict) -> Rendered:
    kind = EmailKind(kind)
    context = {"ttl_minutes": settings.OTP_TTL_SECONDS // 60, **context, "kind": kind.value}
    template = TEMPLATES.get(kind, "otp")
    if kind in NOTICES:
        fields = {
            name: context.get(name, "") for name in ("email", "new_email", "remaining", "name")
        }
        context = {**context, "notice": NOTICES[kind].format(**fields)}
    return Rendered(
        subject=SUBJECTS[kind],
        text=render_to_string(f"emailing/{template}.txt", context),
        html=render_to_string(f"emailing/{template}.html", context),
    )
