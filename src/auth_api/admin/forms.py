"""The admin's login form: it says why the sign-in check refused before judging the password."""

import math

from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import ValidationError

from auth_api.admin.backend import sign_in_refusal
from auth_api.errors import PasswordSignInClosed, TooManyRequests


class AdminSignInForm(AdminAuthenticationForm):
    """A rate limit or a closed password sign-in is said as such on the login page, never as a
    wrong password: staff who typed the right one would otherwise doubt it and try others. It
    tells no more than the API's 429 and 403 do (both are decided before the password is judged)."""

    error_messages = {
        **AdminAuthenticationForm.error_messages,
        "rate_limited": "Too many attempts; try again in %(wait)s.",
        "sign_in_closed": (
            "Password sign-in to this account is closed to new devices after too many failed "
            "attempts. To open it again, sign in to the app with an emailed code or reset the "
            "password."
        ),
    }

    def get_invalid_login_error(self) -> ValidationError:
        refusal = sign_in_refusal(self.request)
        if isinstance(refusal, TooManyRequests):
            minutes = math.ceil(refusal.retry_after / 60)
            wait = "1 minute" if minutes == 1 else f"{minutes} minutes"
            return ValidationError(
                self.error_messages["rate_limited"], code="rate_limited", params={"wait": wait}
            )
        if isinstance(refusal, PasswordSignInClosed):
            return ValidationError(self.error_messages["sign_in_closed"], code="sign_in_closed")
        return super().get_invalid_login_error()
