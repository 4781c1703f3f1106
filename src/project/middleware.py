"""Guards in front of every view: body size, and no caching of API answers."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from auth_api.errors import BadRequest, PayloadTooLarge
from auth_api.exception_handler import json_error

Handler = Callable[[HttpRequest], HttpResponse]


def body_size_limit(get_response: Handler) -> Handler:
    """413 for a declared body over DATA_UPLOAD_MAX_MEMORY_SIZE, before any of it is read (the
    JSON parser reads the raw stream and would otherwise take any size)."""

    def middleware(request: HttpRequest) -> HttpResponse:
        declared = request.META.get("CONTENT_LENGTH") or "0"
        if not declared.isdigit():
            return json_error(BadRequest())
        if int(declared) > settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
            return json_error(PayloadTooLarge())
        return get_response(request)

    return middleware


def api_no_store(get_response: Handler) -> Handler:
    """Answers of the auth API carry tokens or user data: no cache may keep them (unless the view
    said otherwise: the public keys are cacheable)."""

    def middleware(request: HttpRequest) -> HttpResponse:
        response = get_response(request)
        if request.path.startswith("/api/auth/") and "Cache-Control" not in response:
            response["Cache-Control"] = "no-store"
        return response

    return middleware
