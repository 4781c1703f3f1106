"""How a refresh token travels: an httpOnly cookie for browsers, or the JSON body on request.

The cookie has one name and one set of attributes and is never readable by page scripts. A token
that arrives in the cookie is honoured only with a valid CSRF token (the browser attaches cookies
to cross-site requests too); a token in the body needs none (a cross-site page cannot read it).
"""

import math
from typing import Literal, cast

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import CsrfViewMiddleware, get_token

import clock
from auth_api.errors import CsrfFailed
from auth_api.models import SignIn


def refresh_token_from(request: HttpRequest, *, body_token: str | None) -> tuple[str | None, bool]:
    """(token, came in the body). A cookie-borne token is only honoured with a valid CSRF token."""
    if body_token:
        return body_token, True
    token = request.COOKIES.get(settings.REFRESH_COOKIE_NAME) or None
    if token:
        _enforce_csrf(request)
    return token, False


def cookie_token_if_honoured(request: HttpRequest) -> str | None:
    """The refresh cookie's token when its CSRF token is valid, else None (never raises)."""
    token = request.COOKIES.get(settings.REFRESH_COOKIE_NAME) or None
    if token is None:
        return None
    try:
        _enforce_csrf(request)
    except CsrfFailed:
        return None
    return token


def issue_csrf_cookie(request: HttpRequest) -> None:
    """Make Django set the `csrftoken` cookie on this response."""
    get_token(request)


class _CsrfCheck(CsrfViewMiddleware):
    def _reject(self, request, reason):
        return reason


def _enforce_csrf(request: HttpRequest) -> None:
    check = _CsrfCheck(lambda req: None)  # type: ignore[arg-type]
    check.process_request(request)
    if check.process_view(request, None, (), {}) is not None:  # type: ignore[arg-type]
        raise CsrfFailed()


def _samesite() -> Literal["Strict", "Lax", "None"]:
    return cast(Literal["Strict", "Lax", "None"], settings.REFRESH_COOKIE_SAMESITE)  # checked


def set_refresh_cookie(response: HttpResponse, *, token: str, sign_in: SignIn) -> None:
    # rememberMe=false => a session cookie (no Max-Age), gone when the browser closes.
    max_age = None
    if sign_in.remember_me:
        max_age = max(0, math.floor((sign_in.expires_at - clock.now()).total_seconds()))
    _api_cookie(response, settings.REFRESH_COOKIE_NAME, token, max_age, samesite=_samesite())


def clear_refresh_cookie(response: HttpResponse) -> None:
    response.delete_cookie(
        settings.REFRESH_COOKIE_NAME,
        path=settings.REFRESH_COOKIE_PATH,
        samesite=_samesite(),
    )


def _api_cookie(
    response: HttpResponse,
    name: str,
    value: str,
    max_age: int | None,
    samesite: Literal["Strict", "Lax", "None"] = "Strict",
) -> None:
    """An httpOnly cookie on the auth API's path, Secure unless DEBUG."""
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path=settings.REFRESH_COOKIE_PATH,
        secure=settings.SECURE_COOKIES,
        httponly=True,
        samesite=samesite,
    )


def set_device_cookie(response: HttpResponse, *, token: str, max_age: int) -> None:
    _api_cookie(response, settings.DEVICE_COOKIE_NAME, token, max_age)


def set_flow_cookie(response: HttpResponse, *, token: str, max_age: int) -> None:
    _api_cookie(response, settings.OTP_FLOW_COOKIE_NAME, token, max_age)


def set_two_factor_cookie(response: HttpResponse, *, token: str, max_age: int) -> None:
    _api_cookie(response, settings.TWO_FACTOR_COOKIE_NAME, token, max_age)


def clear_two_factor_cookie(response: HttpResponse) -> None:
    response.delete_cookie(
        settings.TWO_FACTOR_COOKIE_NAME, path=settings.REFRESH_COOKIE_PATH, samesite="Strict"
    )


def set_passkey_cookie(response: HttpResponse, *, token: str, max_age: int) -> None:
    _api_cookie(response, settings.PASSKEY_COOKIE_NAME, token, max_age)
