from django.apps import AppConfig


class AuthApiConfig(AppConfig):
    name = "auth_api"
    verbose_name = "Authentication API"
    default_auto_field = "django.db.models.BigAutoField"
