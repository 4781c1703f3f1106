"""Passwords in the admin, held to the API's rules (auth_api.flows.staff_passwords):

- staff's own password change asks the current password as password/change/ does: on the
  account's step-up budget, each failure a security event that counts towards closing password
  sign-in, and STEP_UP_MAX_FAILURES in a row end the admin session as they end an API sign-in;
- a password set here, staff's own or any account's, is validated as the API validates it and
  ends the account's sign-ins, trusted devices and pending proofs, with the owner's mail.
"""

import math

from django.conf import settings
from django.contrib import auth
from django.contrib.admin.forms import AdminPasswordChangeForm
from django.contrib.auth.forms import AdminPasswordChangeForm as UserPasswordForm
from django.contrib.auth.views import PasswordChangeView
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.urls import reverse

from auth_api.client import ClientInfo, page_client
from auth_api.errors import TooManyRequests
from auth_api.flows.staff_passwords import password_set_in_admin, staff_password_check
from users.errors import InvalidPassword, PasswordRejected
from users.passwords import validate_new_password

# The admin session's wrong current passwords in a row.
_FAILURES = "authsvc.step_up_failures"


def rate_limited_error(refusal: TooManyRequests) -> ValidationError:
    """What an admin page says of a refusal for volume (its login, its password change)."""
    minutes = math.ceil(refusal.retry_after / 60)
    wait = "1 minute" if minutes == 1 else f"{minutes} minutes"
    return ValidationError(
        "Too many attempts; try again in %(wait)s.", code="rate_limited", params={"wait": wait}
    )


def _policy_checked(form, field: str, confirmation: str) -> str | None:
    """The new password as the API would store it (NFKC), or None with the form's error set
    (Django's own validation of the form spoke first: one error, not two)."""
    raw = form.cleaned_data.get(field)
    if not raw or form.has_error(field) or form.has_error(confirmation):
        return None
    try:
        return validate_new_password(raw, user=form.user)
    except PasswordRejected as rejected:
        form.add_error(
            field, [m for messages in (rejected.fields or {}).values() for m in messages]
        )
        return None


class StaffPasswordChangeForm(AdminPasswordChangeForm):
    def __init__(self, user, *args, request, **kwargs):
        self.request = request
        super().__init__(user, *args, **kwargs)

    @property
    def client(self) -> ClientInfo:
        return page_client(self.request)

    def clean_old_password(self) -> str:
        password = self.cleaned_data["old_password"]
        session = self.request.session
        try:
            staff_password_check(user=self.user, password=password, client=self.client)
        except TooManyRequests as refusal:
            raise rate_limited_error(refusal) from None
        except InvalidPassword:
            failures = session.get(_FAILURES, 0) + 1
            session[_FAILURES] = failures
            if failures >= settings.STEP_UP_MAX_FAILURES:
                auth.logout(self.request)  # as STEP_UP_MAX_FAILURES end an API sign-in
            raise ValidationError(
                self.error_messages["password_incorrect"], code="password_incorrect"
            ) from None
        session.pop(_FAILURES, None)
        return password

    def clean(self):
        cleaned = super().clean()
        self.new_password = _policy_checked(self, "new_password1", "new_password2")
        return cleaned

    def save(self, commit: bool = True):
        if self.new_password is None:  # is_valid() passed: never the case
            raise ValueError("save() of a form that is not valid")
        return password_set_in_admin(
            user=self.user, new_password=self.new_password, client=self.client
        )


class StaffPasswordChangeView(PasswordChangeView):
    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "request": self.request}

    def form_invalid(self, form):
        if not self.request.user.is_authenticated:  # the session ended (too many failures)
            return HttpResponseRedirect(
                reverse("admin:login", current_app=self.request.current_app)
            )
        return super().form_invalid(form)


class AccountPasswordForm(UserPasswordForm):
    """The admin's form for setting an account's password (Django's, whose save goes through
    password_set_in_admin: the account's sign-ins end and its owner is told)."""

    def clean(self):
        cleaned = super().clean()
        usable = self.cleaned_data.get("set_usable_password", True)
        self.new_password = _policy_checked(self, "password1", "password2") if usable else None
        return cleaned

    def save(self, commit: bool = True):
        # Django's view hands this form no request: the event has no client address.
        return password_set_in_admin(user=self.user, new_password=self.new_password, client=None)
