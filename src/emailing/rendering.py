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
}
TEMPLATES = {
    EmailKind.PASSWORD_CHANGED: "password_changed",
    EmailKind.SIGN_IN_CLOSED: "sign_in_closed",
    EmailKind.EMAIL_CHANGE_TAKEN: "notice",
    EmailKind.EMAIL_CHANGE_NOTICE: "notice",
    EmailKind.ACCOUNT_DELETED: "notice",
    EmailKind.EMAIL_CHANGED: "notice",
}
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
        fields = {"email": context.get("email", ""), "new_email": context.get("new_email", "")}
        context = {**context, "notice": NOTICES[kind].format(**fields)}
    return Rendered(
        subject=SUBJECTS[kind],
        text=render_to_string(f"emailing/{template}.txt", context),
        html=render_to_string(f"emailing/{template}.html", context),
    )
