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
}
TEMPLATES = {
    EmailKind.PASSWORD_CHANGED: "password_changed",
    EmailKind.SIGN_IN_CLOSED: "sign_in_closed",
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
    return Rendered(
        subject=SUBJECTS[kind],
        text=render_to_string(f"emailing/{template}.txt", context),
        html=render_to_string(f"emailing/{template}.html", context),
    )
