"""The one place where errors become HTTP: `{code, message[, fields]}` for every failure.

DRF views reach it through `handle_exception`; plain Django views (unknown routes, CSRF failures
outside DRF, the web app's 404) through `json_error`. Both render a registered DomainError.
"""

import logging

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.db import DatabaseError
from django.http import Http404, JsonResponse
from rest_framework import exceptions as drf
from rest_framework.response import Response
from rest_framework.views import set_rollback

from auth_api import errors
from users.errors import DomainError

logger = logging.getLogger("auth_api")

_FROM_DRF: list[tuple[type[drf.APIException], type[DomainError]]] = [
    (drf.NotAuthenticated, errors.NotAuthenticated),
    (drf.AuthenticationFailed, errors.TokenInvalid),
    (drf.PermissionDenied, errors.PermissionDenied),
    (drf.NotFound, errors.NotFound),
    (drf.NotAcceptable, errors.NotAcceptable),
    (drf.UnsupportedMediaType, errors.UnsupportedMediaType),
    (drf.ParseError, errors.InvalidJson),
]


def error_body(error: DomainError) -> dict:
    body: dict = {"code": error.code, "message": error.text}
    if error.fields:
        body["fields"] = error.fields
    return body


def error_headers(error: DomainError) -> dict[str, str]:
    headers = {}
    retry_after = getattr(error, "retry_after", None)
    if retry_after is not None:
        headers["Retry-After"] = str(retry_after)
    if error.status == 401:
        # What the client should authenticate with: a Bearer token unless the error names another.
        headers["WWW-Authenticate"] = getattr(error, "challenge", 'Bearer realm="api"')
    return headers


def json_error(error: DomainError) -> JsonResponse:
    response = JsonResponse(error_body(error), status=error.status)
    for name, value in error_headers(error).items():
        response[name] = value
    return response


def _flatten_fields(detail) -> dict[str, list[str]]:
    if isinstance(detail, dict):
        return {
            str(k): [str(m) for m in (v if isinstance(v, list) else [v])] for k, v in detail.items()
        }
    return {"nonFieldErrors": [str(m) for m in (detail if isinstance(detail, list) else [detail])]}


def _from_drf(exc: drf.APIException, context: dict) -> DomainError:
    if isinstance(exc, drf.MethodNotAllowed):
        request = context.get("request")
        return errors.MethodNotAllowed(method=request.method if request else "?")
    if isinstance(exc, drf.Throttled):
        return errors.TooManyRequests(retry_after=int(getattr(exc, "wait", None) or 1))
    if isinstance(exc, drf.ValidationError):
        return errors.ValidationFailed(fields=_flatten_fields(exc.detail))
    for drf_class, domain_class in _FROM_DRF:
        if isinstance(exc, drf_class):
            return domain_class()
    return errors.BadRequest() if exc.status_code < 500 else errors.InternalError()


def _response(error: DomainError) -> Response:
    return Response(error_body(error), status=error.status, headers=error_headers(error))


def handle_exception(exc: Exception, context: dict) -> Response:
    set_rollback()
    if isinstance(exc, DomainError):
        return _response(exc)
    if isinstance(exc, RequestDataTooBig):
        return _response(errors.PayloadTooLarge())
    if isinstance(exc, Http404):
        return _response(errors.NotFound())
    if isinstance(exc, DjangoPermissionDenied):
        return _response(errors.PermissionDenied())
    if isinstance(exc, drf.APIException):
        return _response(_from_drf(exc, context))
    if isinstance(exc, DatabaseError):
        logger.exception("database error during %s", _view_name(context))
        response = _response(errors.ServiceUnavailable())
        response["Retry-After"] = "5"
        return response
    logger.exception("unhandled error during %s", _view_name(context))
    return _response(errors.InternalError())


def _view_name(context: dict) -> str:
    view = context.get("view")
    return type(view).__name__ if view is not None else "request"
