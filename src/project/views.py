"""JSON answers for what happens outside DRF views (unknown routes, CSRF, server errors), and the
API docs page."""

from csp.decorators import csp_update
from django.core.exceptions import RequestDataTooBig
from django.utils.decorators import method_decorator
from drf_spectacular.views import SpectacularSwaggerSplitView

from auth_api import errors
from auth_api.http.exception_handler import json_error


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


@method_decorator(csp_update({"style-src": ["'unsafe-inline'"]}), name="dispatch")
class ApiDocs(SpectacularSwaggerSplitView):
    """Swagger UI. Its start-up script is a file (the split view), so scripts stay 'self' only;
    the UI sets inline styles as it renders, the one relaxation, and only on this page."""
