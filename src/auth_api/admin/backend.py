"""How the Django admin checks a password: through the API's own sign-in check.

Django's ModelBackend has no rate limit and answers an imported scrypt hash visibly slower than an
unknown email. This backend replaces it, so the admin login is no side door: the same per-IP and
per-address limits, the same constant-time check, and staff must have proven their address. When
the check refuses before judging the password (rate-limited, or password sign-in closed), the login
form says so (`sign_in_refusal`, read by auth_api.admin.forms).
"""

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest

from auth_api.client import page_client
from auth_api.errors import InvalidCredentials, PasswordSignInClosed, TooManyRequests
from auth_api.flows.sign_in import credentials_check
from users.emails import validate_email
from users.models import User

# Django's authenticate() turns a backend's PermissionDenied into "no user": why is kept here.
_REFUSAL = "_sign_in_refusal"


def sign_in_refusal(request: HttpRequest | None) -> TooManyRequests | PasswordSignInClosed | None:
    """Why the sign-in check refused this request's login before judging its password, if it did."""
    return getattr(request, _REFUSAL, None)


class SignInCheckBackend(ModelBackend):
    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs,
    ) -> User | None:
        if request is None or username is None or password is None:
            return None
        try:
            user = credentials_check(
                email=validate_email(username), password=password, client=page_client(request)
            ).user
        except (TooManyRequests, PasswordSignInClosed) as refusal:
            setattr(request, _REFUSAL, refusal)
            raise PermissionDenied from None  # Django stops trying other backends
        except (InvalidCredentials, ValidationError):
            return None
        # An unproven address may be someone else's pre-registration: never a staff login.
        if user.is_staff and not user.email_verified:
            return None
        return user if self.user_can_authenticate(user) else None
