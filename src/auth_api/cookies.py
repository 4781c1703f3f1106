"""The refresh-token cookie: one name, one set of attributes, never readable by page scripts."""

import math

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from .models import SignIn


def read_refresh_cookie(request: HttpRequest) -> str | None:
    return request.COOKIES.get(settings.REFRESH_COOKIE_NAME) or None


def set_refresh_cookie(response: HttpResponse, *, token: str, sign_in: SignIn) -> None:
    # rememberMe=false => a session cookie (no Max-Age), gone when the browser closes.
    max_age = None
    if sign_in.remember_me:
        max_age = max(0, math.floor((sign_in.expires_at - timezone.now()).total_seconds()))
    response.set_cookie(
        settings.REFRESH_COOKIE_NAME,
        token,
        max_age=max_age,
        path=settings.REFRESH_COOKIE_PATH,
        secure=settings.SECURE_COOKIES,
        httponly=True,
        samesite=settings.REFRESH_COOKIE_SAMESITE,
    )


def clear_refresh_cookie(response: HttpResponse) -> None:
    response.delete_cookie(
        settings.REFRESH_COOKIE_NAME,
        path=settings.REFRESH_COOKIE_PATH,
        samesite=settings.REFRESH_COOKIE_SAMESITE,
    )
