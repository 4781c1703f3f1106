"""Passwords in the admin, held to the API's rules (auth_api.flows.staff_passwords):

- staff's own password change asks the current password as password/change/ does: on the
  account's step-up budget, each failure a security event that counts towards closing password
  sign-in, and after STEP_UP_MAX_FAILURES wrong ones (counted before they are judged, parallel
  ones too) the next attempt ends the admin session, as they end an API sign-in;
- a password set here, staff's own or any account's, is validated as the API validates it and
  ends the account's sign-ins, trusted devices and pending proofs, with the owner's mail.
"""

import math
from typing import Any, cast

from django.contrib import auth
from django.contrib.admin.forms import AdminPasswordChangeForm
from django.contrib.auth.forms import AdminPasswordChangeForm as UserPasswordForm
from django.contrib.auth.views import PasswordChangeView
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.urls import reverse

from auth_api.client import ClientInfo, page_client
from auth_api.errors import TooManyRequests
from auth_api.flows.staff_passwords import (
    StaffSessionSpent,
    password_set_in_admin,
    staff_password_check,
)
from users.errors import InvalidPassword, PasswordRejected
from users.forms import AdminUserCreationForm
from users.passwords import validate_new_password


def rate_limited_error(refusal: TooManyRequests) -> ValidationError:
    """What an admin page says of a refusal for volume (its login, its password change)."""
    minutes = math.ceil(refusal.retry_after / 60)
    wait = "1 minute" if minutes == 1 else f"{minutes} minutes"
    return ValidationError(
        "Too many attempts; try again in %(wait)s.", code="rate_limited", params={"wait": wait}
    )


class ApiPasswordPolicy:
    """For Django's password forms: the new password judged as the API judges it, on its NFKC
    form (the form the account stores), after Django's own validation of the typed value, which
    speaks first (one error, not two). `new_password`: what is stored, None when none is."""

    new_password: str | None = None

    def validate_password_for_user(self, user, password_field_name="password2", **kwargs):  # noqa: S107 - a field name
        form = cast(Any, self)
        super().validate_password_for_user(  # type: ignore[misc]
            user, password_field_name=password_field_name, **kwargs
        )
        raw = form.cleaned_data.get(password_field_name)
        if not form.cleaned_data.get("set_usable_password", True) or not raw:
            return
        if form.has_error(password_field_name):
            return
        try:
            self.new_password = validate_new_password(raw, user=user)
        except PasswordRejected as rejected:
            errors = [m for messages in (rejected.fields or {}).values() for m in messages]
            form.add_error(password_field_name, errors)


class StaffPasswordChangeForm(ApiPasswordPolicy, AdminPasswordChangeForm):
    def __init__(self, user, *args, request, **kwargs):
        self.request = request
        super().__init__(user, *args, **kwargs)

    @property
    def client(self) -> ClientInfo:
        return page_client(self.request)

    def clean_old_password(self) -> str:
        password = self.cleaned_data["old_password"]
        incorrect = ValidationError(
            self.error_messages["password_incorrect"], code="password_incorrect"
        )
        try:
            staff_password_check(
                user=self.user,
                password=password,
                client=self.client,
                session=self.request.session.session_key or "",
            )
        except StaffSessionSpent:
            auth.logout(self.request)  # as STEP_UP_MAX_FAILURES end an API sign-in
            raise incorrect from None
        except TooManyRequests as refusal:
            raise rate_limited_error(refusal) from None
        except InvalidPassword:
            raise incorrect from None
        return password

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


class AccountCreationForm(ApiPasswordPolicy, AdminUserCreationForm):
    """The admin's add-user form, its password held to the API's policy."""


class AccountPasswordForm(ApiPasswordPolicy, UserPasswordForm):
    """The admin's form for setting an account's password (Django's, whose save goes through
    password_set_in_admin: the account's sign-ins end and its owner is told)."""

    def save(self, commit: bool = True):
        # Django's view hands this form no request: the event has no client address.
        return password_set_in_admin(user=self.user, new_password=self.new_password, client=None)
