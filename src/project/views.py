"""JSON answers for what happens outside DRF views: unknown routes, CSRF, server errors."""

from django.core.exceptions import RequestDataTooBig

from auth_api import errors
from auth_api.exception_handler import json_error


def not_found(request, exception=None, **kwargs):
    return json_error(errors.NotFound())


def server_error(request, *args, **kwargs):
    return json_error(errors.InternalError())


def bad_request(request, exception=None, **kwargs):
    if isinstance(exception, RequestDataTooBig):
        return json_error(errors.PayloadTooLarge())
    return json_error(errors.BadRequest())


def permission_denied(request, exception=None, **kwargs):
    return json_error(errors.PermissionDenied())


def csrf_failure(request, reason="", **kwargs):
    return json_error(errors.CsrfFailed())
