"""Subject, text and HTML for each kind of message."""

from dataclasses import dataclass

from django.conf import settings
from django.template.loader import render_to_string

SUBJECTS = {
    "otp_sign_in": "Your sign-in code",
    "otp_email_verification": "Verify your email address",
    "otp_forget_password": "Reset your password",
    "password_changed": "Your password was changed",
}


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


def render(kind: str, context: dict) -> Rendered:
    context = {"ttl_minutes": settings.OTP_TTL_SECONDS // 60, **context}
    template = "password_changed" if kind == "password_changed" else "otp"
    context["purpose"] = kind
    return Rendered(
        subject=SUBJECTS[kind],
        text=render_to_string(f"emailing/{template}.txt", context),
        html=render_to_string(f"emailing/{template}.html", context),
    )
