from django.apps import AppConfig
from django.core import checks


class EmailingConfig(AppConfig):
    name = "emailing"
    verbose_name = "Email delivery"

    def ready(self) -> None:
        from .checks import console_mail_in_production

        checks.register(console_mail_in_production)
