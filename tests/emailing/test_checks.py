from emailing.checks import CONSOLE_BACKEND, console_mail_in_production


def test_console_mail_with_debug_off_is_warned_about(settings):
    settings.DEBUG, settings.EMAIL_BACKEND = False, CONSOLE_BACKEND
    (warning,) = console_mail_in_production(None)
    assert warning.id == "emailing.W001" and "standard output" in warning.msg


def test_no_warning_in_debug_or_with_a_real_backend(settings):
    settings.DEBUG, settings.EMAIL_BACKEND = True, CONSOLE_BACKEND
    assert console_mail_in_production(None) == []
    settings.DEBUG = False
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    assert console_mail_in_production(None) == []
