"""Django's CSRF check, applied to the calls the refresh cookie authenticates."""

from django.http import HttpRequest
from django.middleware.csrf import CsrfViewMiddleware

from .errors import CsrfFailed


class _CsrfCheck(CsrfViewMiddleware):
    def _reject(self, request, reason):
        return reason


def enforce_csrf(request: HttpRequest) -> None:
    check = _CsrfCheck(lambda req: None)
    check.process_request(request)
    if check.process_view(request, None, (), {}) is not None:
        raise CsrfFailed()
