"""System checks of the mail set-up (shown by every manage.py command, migrate included)."""

from django.conf import settings
from django.core.checks import Warning

CONSOLE_BACKEND = "django.core.mail.backends.console.EmailBackend"


def console_mail_in_production(app_configs, **kwargs) -> list[Warning]:
    # The console backend prints every message, codes included, to stdout: right for a laptop,
    # a leak into the logs of a real deployment.
    if settings.DEBUG or settings.EMAIL_BACKEND != CONSOLE_BACKEND:
        return []
    return [
        Warning(
            "Mail goes to the console: every emailed code is written to standard output.",
            hint="Set EMAIL_HOST (SMTP) or EMAIL_BACKEND for a real deployment.",
            id="emailing.W001",
        )
    ]
