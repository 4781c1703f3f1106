"""The admin's login form: it says why the sign-in check refused before judging the password, and
asks accounts with two-factor on for their second factor (the admin is no way around it)."""

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import ValidationError

from auth_api.admin.backend import sign_in_refusal
from auth_api.admin.passwords import rate_limited_error
from auth_api.client import page_client
from auth_api.errors import PasswordSignInClosed, TooManyRequests
from auth_api.flows.second_step import second_factor_check


class AdminSignInForm(AdminAuthenticationForm):
    """A rate limit or a closed password sign-in is said as such on the login page, never as a
    wrong password: staff who typed the right one would otherwise doubt it and try others. It
    tells no more than the API's 429 and 403 do (both are decided before the password is judged)."""

    code = forms.CharField(
        required=False,
        max_length=64,
        label="Two-factor code",
        help_text="With two-factor on: the code from your authenticator app, or a recovery code.",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "text"}),
    )

    error_messages = {
        **AdminAuthenticationForm.error_messages,
        "sign_in_closed": (
            "Password sign-in to this account is closed to new devices after too many failed "
            "attempts. To open it again, sign in to the app with an emailed code or reset the "
            "password."
        ),
        "second_factor": (
            "This account has two-factor authentication on: enter a current code from your "
            "authenticator app, or one of your recovery codes."
        ),
    }

    def confirm_login_allowed(self, user) -> None:
        super().confirm_login_allowed(user)
        if not user.two_factor_enabled:
            return
        code, request = self.cleaned_data.get("code") or "", self.request
        try:
            passed = (
                bool(code)
                and request is not None
                and second_factor_check(user=user, code=code, client=page_client(request))
            )
        except TooManyRequests as refusal:
            raise rate_limited_error(refusal) from None
        if not passed:
            raise ValidationError(self.error_messages["second_factor"], code="second_factor")

    def get_invalid_login_error(self) -> ValidationError:
        refusal = sign_in_refusal(self.request)
        if isinstance(refusal, TooManyRequests):
            return rate_limited_error(refusal)
        if isinstance(refusal, PasswordSignInClosed):
            return ValidationError(self.error_messages["sign_in_closed"], code="sign_in_closed")
        return super().get_invalid_login_error()
