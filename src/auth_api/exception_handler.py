"""The one place where errors become HTTP: `{code, message[, fields]}` for every failure."""

import logging

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db import DatabaseError
from django.http import Http404
from rest_framework import exceptions as drf
from rest_framework.response import Response
from rest_framework.views import set_rollback

from users.errors import DomainError

logger = logging.getLogger("auth_api")

_DRF_CODES: list[tuple[type[drf.APIException], str, str | None]] = [
    (drf.NotAuthenticated, "NOT_AUTHENTICATED", "Authentication credentials were not provided."),
    (drf.AuthenticationFailed, "TOKEN_INVALID", None),
    (drf.PermissionDenied, "PERMISSION_DENIED", None),
    (drf.NotFound, "NOT_FOUND", "Not found."),
    (drf.MethodNotAllowed, "METHOD_NOT_ALLOWED", None),
    (drf.NotAcceptable, "NOT_ACCEPTABLE", None),
    (drf.UnsupportedMediaType, "UNSUPPORTED_MEDIA_TYPE", "Send the body as application/json."),
    (drf.ParseError, "INVALID_JSON", None),
    (drf.Throttled, "TOO_MANY_REQUESTS", None),
    (drf.ValidationError, "VALIDATION_ERROR", "Some fields are not valid."),
]


def error_body(code: str, message: str, fields: dict | None = None) -> dict:
    body = {"code": code, "message": message}
    if fields:
        body["fields"] = fields
    return body


def _flatten_fields(detail) -> dict[str, list[str]]:
    if isinstance(detail, dict):
        return {
            str(k): [str(m) for m in (v if isinstance(v, list) else [v])] for k, v in detail.items()
        }
    return {"nonFieldErrors": [str(m) for m in (detail if isinstance(detail, list) else [detail])]}


def _from_drf(exc: drf.APIException) -> Response:
    code, message = exc.default_code.upper(), str(exc.detail)
    for cls, mapped_code, mapped_message in _DRF_CODES:
        if isinstance(exc, cls):
            code, message = mapped_code, mapped_message or message
            break
    fields = _flatten_fields(exc.detail) if isinstance(exc, drf.ValidationError) else None
    headers = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    if getattr(exc, "wait", None):
        headers["Retry-After"] = str(int(exc.wait))
    return Response(error_body(code, message, fields), status=exc.status_code, headers=headers)


def _from_domain(exc: DomainError) -> Response:
    headers = {}
    retry_after = getattr(exc, "retry_after", None)
    if retry_after is not None:
        headers["Retry-After"] = str(retry_after)
    if exc.status == 401:
        headers["WWW-Authenticate"] = 'Bearer realm="api"'
    return Response(
        error_body(exc.code, exc.message, exc.fields), status=exc.status, headers=headers
    )


def handle_exception(exc: Exception, context: dict) -> Response:
    set_rollback()
    if isinstance(exc, DomainError):
        return _from_domain(exc)
    if isinstance(exc, Http404):
        exc = drf.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = drf.PermissionDenied()
    if isinstance(exc, drf.APIException):
        return _from_drf(exc)
    if isinstance(exc, DatabaseError):
        logger.exception("database error during %s", _view_name(context))
        body = error_body("SERVICE_UNAVAILABLE", "The service is temporarily unavailable.")
        return Response(body, status=503, headers={"Retry-After": "5"})
    logger.exception("unhandled error during %s", _view_name(context))
    return Response(error_body("INTERNAL_ERROR", "Something went wrong on our side."), status=500)


def _view_name(context: dict) -> str:
    view = context.get("view")
    return type(view).__name__ if view is not None else "request"
