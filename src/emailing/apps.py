from django.apps import AppConfig


class EmailingConfig(AppConfig):
    name = "emailing"
    verbose_name = "Email delivery"
